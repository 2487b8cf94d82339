// TypeScript shapes of the Avro records in ../schemas (one interface per .avsc file). A unit test
// round-trips each through its schema so the two cannot drift apart.

export interface RawText {
  id: string;
  text: string;
  source: string;
  /** Epoch milliseconds, or null when unknown. */
  publishedAt: number | null;
  metadata: Record<string, string>;
}

/** One entity; offsets are UTF-16 code units (`text.slice(start, end)`), cp* are code points. */
export interface Entity {
  start: number;
  end: number;
  cpStart: number;
  cpEnd: number;
  type: string;
  text: string;
  score: number;
}

export interface Timings {
  queueMs: number;
  inferenceMs: number;
  totalMs: number;
}

export interface EntityEvent {
  docId: string;
  source: string;
  modelVersion: string;
  textSha256: string;
  textLength: number;
  entities: Entity[];
  timings: Timings;
  taggedAt: number;
  replicaId: string;
}

export interface Prediction {
  docId: string;
  source: string;
  text: string;
  modelVersion: string;
  labels: string[];
  tokenCount: number;
  tokenEntropy: number[];
  tokenConfidence: number[];
  meanEntropy: number;
  maxEntropy: number;
  bestPathLogProb: number;
  entityMinMarginal: number | null;
  entities: Entity[];
  embedding: number[];
  predictedAt: number;
}

export interface ReviewCandidate {
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
  predicted: Entity[];
  createdAt: number;
}

/** A gold span in a correction; offsets are UTF-16 code units. */
export interface GoldEntity {
  start: number;
  end: number;
  type: string;
  text: string;
}

export type CorrectionOrigin = 'STUDIO' | 'ADJUDICATION' | 'IMPORT' | 'SIMULATION';

export interface Correction {
  correctionId: string;
  candidateId: string | null;
  docId: string;
  text: string;
  annotator: string;
  revision: number;
  entities: GoldEntity[];
  modelVersion: string | null;
  origin: CorrectionOrigin;
  createdAt: number;
  /** The entity types the annotator could mark (a type outside it was not annotated). Null: not recorded. Optional for producers; decoded events always carry it. */
  labelSet?: string[] | null;
  /** Guideline version of each type the correction was made under. Null: not recorded. */
  guidelineVersions?: Record<string, number> | null;
}

export type ModelEventType = 'PUBLISHED' | 'PROMOTED' | 'ROLLED_BACK' | 'REJECTED';

export interface ModelEvent {
  eventId: string;
  type: ModelEventType;
  modelVersion: string;
  previousVersion: string | null;
  modelUri: string;
  manifestSha256: string;
  metrics: Record<string, number>;
  reason: string | null;
  at: number;
}

export type ReplicaCommandType = 'LOAD_MODEL' | 'ROLLBACK';

export interface ReplicaCommand {
  commandId: string;
  /** A replica id, or `*` for every replica. */
  replicaId: string;
  type: ReplicaCommandType;
  modelVersion: string;
  modelUri: string;
  manifestSha256: string | null;
  issuedAt: number;
}

export type ReplicaState = 'STARTING' | 'READY' | 'LOADING' | 'DEGRADED' | 'STOPPING';

export interface ReplicaHeartbeat {
  replicaId: string;
  service: string;
  modelVersion: string | null;
  state: ReplicaState;
  lastCommandId: string | null;
  lastError: string | null;
  docsTagged: number;
  errors: number;
  p99LatencyMs: number | null;
  at: number;
}

export interface DeadLetter {
  originalTopic: string;
  partition: number;
  /** Kafka offset as a decimal string (int64). */
  offset: string;
  key: Buffer | null;
  payload: Buffer | null;
  headers: Record<string, string>;
  errorCode: string;
  reason: string;
  consumerGroup: string;
  failedAt: number;
}
