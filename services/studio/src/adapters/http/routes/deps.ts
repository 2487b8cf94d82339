import type { Logger, createHttpApp } from '@zhner/kit';
import type { AdjudicationService } from '../../../app/adjudication';
import type { AuditLog } from '../../../app/audit';
import type { Authenticator } from '../../../app/auth';
import type { CorrectionService } from '../../../app/corrections';
import type { Dashboard } from '../../../app/dashboard';
import type { DataTransferService } from '../../../app/dataTransfer';
import type { EntityTypeService } from '../../../app/entityTypes';
import type { LabelProvider } from '../../../app/labels';
import type { LiveUpdates } from '../../../app/live';
import type { ModelAdmin } from '../../../app/modelAdmin';
import type { CorrectionStore } from '../../../app/ports';
import type { ReviewQueue } from '../../../app/queue';
import type { TagService } from '../../../app/tagging';
import type { StudioMetricsAdapter } from '../../metrics';

/** Everything the route plugins use: the use cases, built once by startStudio. */
export interface StudioDeps {
  logger: Logger;
  auth: Authenticator;
  labels: LabelProvider;
  tagger: TagService;
  queue: ReviewQueue;
  corrections: CorrectionService;
  correctionStore: CorrectionStore;
  adjudication: AdjudicationService;
  data: DataTransferService;
  types: EntityTypeService;
  audit: AuditLog;
  dashboard: Dashboard;
  modelAdmin: ModelAdmin;
  live: LiveUpdates;
  metrics: StudioMetricsAdapter;
  settings: { claimTtlMs: number; annotationsPerItem: number };
  /** STUDIO_PUBLIC_READS: reads that expose texts or people are open to anyone (default: a token is needed). */
  publicReads: boolean;
}

/** The platform's fastify app with the TypeBox type provider (typed request bodies from route schemas). */
export type StudioHttpApp = ReturnType<typeof createHttpApp>;
