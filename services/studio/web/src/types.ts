// Shapes of the studio API's answers (see /api/openapi.json).
export interface Span {
  start: number;
  end: number;
  type: string;
  text: string;
}
export interface ScoredSpan extends Span {
  score: number;
}
export type CandidateStatus = 'open' | 'claimed' | 'done' | 'skipped' | 'expired';
export type Depth = Record<CandidateStatus, number>;

export interface Candidate {
  candidateId: string;
  docId: string;
  source: string;
  text: string;
  textHash: string;
  modelVersion: string;
  strategy: string;
  score: number;
  scores: Record<string, number>;
  cluster: number | null;
  novelty: number | null;
  priority: number;
  predicted: ScoredSpan[];
  status: CandidateStatus;
  claimedBy: string | null;
  claimedAt: number | null;
  claimExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}
export interface ClaimedItem {
  candidate: Candidate;
  revision: number;
}
export interface Correction {
  correctionId: string;
  candidateId: string | null;
  docId: string;
  text: string;
  annotator: string;
  revision: number;
  entities: Span[];
  modelVersion: string | null;
  origin: string;
  createdAt: number;
}
export interface StoredCorrection extends Correction {
  textHash: string;
  status: string;
  predicted: ScoredSpan[] | null;
}
export interface Principal {
  annotatorId: string;
  displayName: string;
  role: 'annotator' | 'admin';
  tokenId: string;
}
export interface StudioConfig {
  labels: string[];
  labelSource: string;
  claimTtlMs: number;
  annotationsPerItem: number;
}
export interface MetricSummary {
  devF1: number | null;
  holdoutF1: number | null;
  devPerType: Record<string, number>;
  holdoutPerType: Record<string, number>;
}
export interface ModelVersion {
  version: string;
  name: string;
  uri: string;
  parentVersion: string | null;
  status: string;
  metrics: Record<string, unknown>;
  summary: MetricSummary;
  trainingRunId: string | null;
  createdAt: number;
  promotedAt: number | null;
}
export interface TrainingRun {
  runId: string;
  status: string;
  trigger: string;
  baseVersion: string | null;
  newVersion: string | null;
  error: string | null;
  lastProgress: unknown;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}
export interface Replica {
  replicaId: string;
  service: string;
  modelVersion: string | null;
  state: string;
  lastError: string | null;
  docsTagged: number;
  errors: number;
  p99LatencyMs: number | null;
  lastSeen: number;
}
export interface Rollout {
  rolloutId: string;
  modelVersion: string;
  previousVersion: string | null;
  state: string;
  canaryReplica: string | null;
  detail: Record<string, unknown>;
  startedAt: number;
  updatedAt: number;
  finishedAt: number | null;
}
export interface ModelsOverview {
  versions: ModelVersion[];
  runs: TrainingRun[];
  replicas: Replica[];
  rollouts: Rollout[];
  promoted: string | null;
}
export interface Bin {
  from: number;
  to: number;
  n: number;
}
export interface Charts {
  f1: Array<{ version: string; createdAt: number; devF1: number | null; holdoutF1: number | null; devPerType: Record<string, number> }>;
  correctionsPerDay: Array<{ day: string; n: number }>;
  queueDepth: Array<{ day: string; depth: number }>;
  uncertainty: { queued: Bin[]; all: Bin[] };
}
export interface AnnotatorStats {
  annotatorId: string;
  displayName: string;
  role: string;
  disabled: boolean;
  corrections: number;
  last7Days: number;
  skips: number;
  lastCorrectionAt: number | null;
  adjudicated: number;
  agreed: number;
  agreementF1: number | null;
  spotChecksOk: number;
  spotChecksWrong: number;
  points: number;
}
export interface ConflictItem {
  textHash: string;
  docId: string;
  text: string;
  candidateId: string | null;
  corrections: StoredCorrection[];
  proposal: Span[];
}
