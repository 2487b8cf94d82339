// Data in and out (admin): import an annotated corpus as seed gold, export the current gold.
// Imported records become ordinary corrections (origin IMPORT, annotator `import`, no candidate)
// written through the same table + outbox as the studio's own, so the trainer-orchestrator learns
// them from ner.corrections.v1 like any other correction: the studio stays the one writer of
// `corrections`. A dry run parses and validates exactly as an import does, and stores nothing.
import { validateCorrection, type Correction } from '@zhner/contracts';
import { ValidationError, textHash } from '@zhner/core';
import { parseData, serialiseData, summarise, type DataFormat, type DataSummary, type Rejection } from '../domain/dataFormats';
import { IMPORT_ANNOTATOR, importCorrectionIdFor, importDocIdFor } from '../domain/ids';
import type { AuditLog } from './audit';
import type { LabelProvider } from './labels';
import type { DataStore, ImportedCorrection, StudioMetrics } from './ports';

export interface ImportInput {
  format: DataFormat;
  content: string;
  dryRun: boolean;
  /** Line number of the content's first line in the whole file (a CLI chunk). Default 1. */
  firstLine?: number;
  /** Who imports (the audit log names them). */
  actor?: string;
}

export interface ImportSummary extends DataSummary {
  dry_run: boolean;
  /** New corrections stored and queued for publishing (0 on a dry run). */
  stored: number;
  /** Valid records already present with the same gold (a re-import): nothing new was written. */
  unchanged: number;
}

export interface ExportResult {
  format: DataFormat;
  content: string;
  summary: DataSummary;
}

export class DataTransferService {
  constructor(
    private readonly store: DataStore,
    private readonly labels: LabelProvider,
    private readonly metrics: StudioMetrics,
    private readonly clock: () => number = Date.now,
    private readonly onChange?: () => void,
    private readonly audit?: Pick<AuditLog, 'record'>,
  ) {}

  /** Never throws for bad records (they are in `rejected`, with their line); throws for store failures. */
  async import(input: ImportInput): Promise<ImportSummary> {
    const labels = await this.labels.labels();
    const parsed = parseData(input.format, input.content, { labels, firstLine: input.firstLine });
    const rejected: Rejection[] = [...parsed.rejected];
    const accepted: typeof parsed.records = [];
    const items: ImportedCorrection[] = [];
    const now = this.clock();
    for (const rec of parsed.records) {
      const hash = textHash(rec.text);
      const docId = importDocIdFor(rec.id, hash);
      const correction: Correction = {
        correctionId: importCorrectionIdFor(docId, rec.text, rec.entities),
        candidateId: null,
        docId,
        text: rec.text,
        annotator: IMPORT_ANNOTATOR,
        revision: 0,
        entities: rec.entities,
        modelVersion: null,
        origin: 'IMPORT',
        createdAt: now,
      };
      try {
        // what every consumer of the topic will check (ids too): a line it would refuse is refused here
        validateCorrection(correction, labels);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        rejected.push({ line: rec.line, code: err.code, reason: err.message });
        continue;
      }
      accepted.push(rec);
      items.push({ correction, textHash: hash });
    }
    rejected.sort((a, b) => a.line - b.line);
    for (const r of rejected) this.metrics.correctionRejected(r.code);
    let stored = 0;
    let unchanged = 0;
    if (!input.dryRun && items.length > 0) {
      ({ inserted: stored, unchanged } = await this.store.importCorrections(items));
      for (let i = 0; i < stored; i++) this.metrics.correctionSubmitted('IMPORT', false);
      for (let i = 0; i < unchanged; i++) this.metrics.correctionSubmitted('IMPORT', true);
      if (stored > 0) this.onChange?.();
      await this.audit?.record(input.actor ?? 'admin', 'data.import', null, { format: input.format, stored, unchanged, rejected: rejected.length, firstLine: input.firstLine ?? 1 });
    }
    return { ...summarise(accepted, rejected), dry_run: input.dryRun, stored, unchanged };
  }

  /** The current gold of every corrected text (see DataStore.currentGold) in `format`. */
  async export(format: DataFormat): Promise<ExportResult> {
    const gold = await this.store.currentGold();
    const records = gold.map((g) => ({ id: g.docId, text: g.text, entities: g.entities }));
    return { format, content: serialiseData(format, records), summary: summarise(records, []) };
  }
}
