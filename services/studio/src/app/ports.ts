// The studio's ports: what its use cases need from the outside world. Adapters (SQL repositories,
// HTTP clients, prom-client metrics) implement them; tests pass fakes.
import type { AuditEntry, AuditFilter } from '../domain/audit';
import type { EntityTypeRow } from '../domain/entityTypes';
import type { CandidateStatus, Correction, Entity, GoldEntity, ModelList, ModelVersion, Replica, ReviewCandidate, Rollout, TrainingRun } from '@zhner/contracts';
import type { Role } from '../domain/tokens';

export interface Principal {
  annotatorId: string;
  displayName: string;
  role: Role;
  tokenId: string;
}

// ---- tagger ---------------------------------------------------------------------------------

/** An entity as the tagger returns it (UTF-16 offsets). */
export interface TaggedEntity {
  start: number;
  end: number;
  type: string;
  text: string;
  score: number;
}

export interface NerResponse {
  modelVersion: string | null;
  /** One result per input text, in order. */
  results: Array<{ entities: TaggedEntity[] }>;
}

/** The tagger's `POST /ner`. The default adapter is HTTP; the one-machine platform passes an in-process one. */
export interface NerClient {
  tag(texts: string[]): Promise<NerResponse>;
}

// ---- model actions (trainer-orchestrator, reloader) ----------------------------------------

export interface ModelActions {
  /** `POST {ORCHESTRATOR_URL}/runs` (a manual run). */
  triggerTraining(req: { requestedBy: string; reason?: string }): Promise<unknown>;
  /** `POST {ORCHESTRATOR_URL}/label-set/types`: admit a new entity type to the label set (admin). */
  admitType(req: { type: string; by: string; note?: string }): Promise<unknown>;
  /** `DELETE {ORCHESTRATOR_URL}/label-set/types/:type`: remove an admitted type no model tags. */
  removeType(req: { type: string; by: string }): Promise<unknown>;
  /** `POST {RELOADER_URL}/rollouts {modelVersion}`: a registered version (the reloader resolves it; never a path). */
  startRollout(req: { modelVersion: string; requestedBy: string }): Promise<unknown>;
  /** `POST {RELOADER_URL}/rollouts/:id/rollback`. */
  rollback(rolloutId: string, req: { requestedBy: string; reason?: string }): Promise<unknown>;
}

// ---- review queue --------------------------------------------------------------------------

export { CANDIDATE_STATUSES, type CandidateStatus } from '@zhner/contracts';

/** A review candidate as the queue holds it: the sampler's event plus its claim state. */
export interface Candidate extends ReviewCandidate {
  status: CandidateStatus;
  claimedBy: string | null;
  /** Epoch ms. */
  claimedAt: number | null;
  claimExpiresAt: number | null;
  updatedAt: number;
}

export interface QueueRepository {
  /**
   * Adds the sampler's review candidates (from ner.review-candidates.v1): a new candidate opens; a
   * candidate whose item had expired re-opens with the new scores; any other is ignored (already
   * queued, claimed or done). Idempotent; returns how many opened or re-opened.
   */
  ingest(candidates: readonly ReviewCandidate[]): Promise<number>;
  /** A model was promoted at `at`: open items of other versions created before it expire. Returns how many. */
  expireOlderThan(modelVersion: string, at: number): Promise<number>;
  depth(): Promise<Record<CandidateStatus, number>>;
  /** Highest priority first. */
  list(opts: { statuses: CandidateStatus[]; limit: number }): Promise<Candidate[]>;
  get(candidateId: string): Promise<Candidate | undefined>;
  /** The item `annotatorId` holds an unexpired claim on, its expiry extended by `ttlMs`. */
  renewActiveClaim(annotatorId: string, ttlMs: number): Promise<Candidate | undefined>;
  /**
   * Atomically claims the highest-priority claimable item (open, or claimed with an expired claim)
   * that `annotatorId` has not corrected yet. Undefined when the queue is empty.
   */
  claimNext(annotatorId: string, ttlMs: number): Promise<Candidate | undefined>;
  /** Atomically claims one item if it is open, its claim expired, or `annotatorId` holds it. */
  claim(candidateId: string, annotatorId: string, ttlMs: number): Promise<Candidate | undefined>;
  /** claimed-by-me → skipped (or done when it already has a correction). False when not held. */
  skip(candidateId: string, annotatorId: string): Promise<boolean>;
  /** claimed-by-me → open. False when not held. */
  release(candidateId: string, annotatorId: string): Promise<boolean>;
  /** Next revision number of `annotatorId`'s correction of the item (0 when none yet). */
  nextRevision(candidateId: string, annotatorId: string): Promise<number>;
}

// ---- corrections ---------------------------------------------------------------------------

export type CorrectionStatus = 'accepted' | 'superseded' | 'rejected';

export interface StoredCorrection extends Correction {
  textHash: string;
  status: CorrectionStatus;
  predicted: Entity[] | null;
  reviewRequired?: boolean;
}

/** What the submit transaction sees once the candidate row is locked. */
export interface SubmitState {
  candidate: Candidate | undefined;
  /** A correction with the same id (same candidate, annotator, revision): a retried request. */
  existing: StoredCorrection | undefined;
  /** The annotator already has a correction of this item (any revision). */
  annotatorHasPrevious: boolean;
}

export interface CorrectionStore {
  get(correctionId: string): Promise<StoredCorrection | undefined>;
  /**
   * One transaction: lock the candidate, let `decide` inspect the state ('duplicate' → nothing is
   * written; 'insert' → write the correction, supersede the annotator's older revisions, set the
   * candidate's status, enqueue the Correction event in the outbox). `decide` throws to abort.
   */
  submit(
    correction: Correction,
    opts: { textHash: string; predicted: Entity[]; annotationsPerItem: number; decide: (s: SubmitState) => 'duplicate' | 'insert'; reviewFor?: (nth: number) => boolean },
  ): Promise<{ outcome: 'inserted' | 'duplicate'; candidateStatus: CandidateStatus | undefined; reviewRequired?: boolean }>;
  recent(opts: { annotatorId?: string; limit: number }): Promise<StoredCorrection[]>;
}

// ---- adjudication --------------------------------------------------------------------------

export interface ConflictGroup {
  textHash: string;
  docId: string;
  text: string;
  candidateId: string | null;
  /** Latest accepted correction per annotator, oldest first. */
  corrections: StoredCorrection[];
}

export interface AdjudicationRecord {
  adjudicationId: string;
  textHash: string;
  docId: string;
  text: string;
  entities: GoldEntity[];
  chosenCorrectionId: string | null;
  adjudicatorId: string;
  createdAt: number;
}

export interface SpotCheckItem {
  correction: StoredCorrection;
  verdict: 'ok' | 'wrong' | null;
}

export interface AdjudicationStore {
  /** Texts whose latest corrections (per annotator, not yet adjudicated) number at least two. */
  candidatesForConflict(limit: number): Promise<ConflictGroup[]>;
  /** Corrections of `textHash` an adjudication resolves (latest accepted per annotator). */
  correctionsOfText(textHash: string): Promise<StoredCorrection[]>;
  getAdjudication(adjudicationId: string): Promise<AdjudicationRecord | undefined>;
  /**
   * One transaction: the adjudication row, the ADJUDICATION correction + its outbox row, and the
   * resolved corrections marked superseded. Returns false when the adjudication already existed.
   */
  saveAdjudication(a: AdjudicationRecord, correction: Correction, resolved: string[]): Promise<boolean>;
  /** A sample of `annotatorId`'s recent studio corrections: random, or every one not yet spot-checked. */
  spotCheckSample(annotatorId: string, opts: { size: number; mode: 'sample' | 'unreviewed' | 'required'; days: number }): Promise<SpotCheckItem[]>;
  recordSpotCheck(correctionId: string, reviewerId: string, verdict: 'ok' | 'wrong', note: string | null): Promise<void>;
}

// ---- data import / export ------------------------------------------------------------------

/** An imported record as a correction (origin IMPORT), with the text hash its row is keyed by. */
export interface ImportedCorrection {
  correction: Correction;
  textHash: string;
}

/** One text's current gold, as exported. */
export interface CurrentGold {
  docId: string;
  text: string;
  entities: GoldEntity[];
}

export interface DataStore {
  /**
   * One transaction: each correction is written with its outbox row (the normal correction path),
   * except one that is already stored (same id: a re-import) or whose text already has exactly
   * these entities as accepted gold (e.g. the studio's own export imported back): those are
   * `unchanged`. A new import of a document supersedes its earlier imported gold of the same text.
   */
  importCorrections(items: readonly ImportedCorrection[]): Promise<{ inserted: number; unchanged: number }>;
  /**
   * The current gold of every corrected text: its latest adjudication when it has one, else its
   * latest accepted correction (any origin), oldest text first.
   */
  currentGold(): Promise<CurrentGold[]>;
}

// ---- auth ----------------------------------------------------------------------------------

export interface TokenRecord {
  tokenId: string;
  tokenHash: string;
  revokedAt: number | null;
  annotatorId: string;
  displayName: string;
  role: Role;
  disabledAt: number | null;
}

export interface TokenRepository {
  find(tokenId: string): Promise<TokenRecord | undefined>;
  /** Records use (best effort). */
  touch(tokenId: string): Promise<void>;
}

// ---- read models ---------------------------------------------------------------------------

/** The model registry's published API (trainer-orchestrator: GET /models, GET /models/:v, GET /runs). */
export interface RegistryReader {
  models(limit: number): Promise<ModelList>;
  model(version: string): Promise<ModelVersion | undefined>;
  runs(limit: number): Promise<TrainingRun[]>;
}

/** The reloader's published API (GET /replicas, GET /rollouts). */
export interface RolloutReader {
  replicas(): Promise<Replica[]>;
  rollouts(limit: number): Promise<Rollout[]>;
}

/** Series over the studio's own tables (corrections, review_queue) for the Models page charts. */
export interface QueueStatsRepository {
  correctionsPerDay(days: number): Promise<Array<{ day: string; n: number }>>;
  queueDepthPerDay(days: number): Promise<Array<{ day: string; depth: number }>>;
  /** Uncertainty scores of the items in the queue (open or claimed) and of all recent items. */
  uncertaintyScores(limit: number): Promise<{ queued: number[]; all: number[] }>;
}

export interface AnnotatorRow {
  annotatorId: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  corrections: number;
  last7Days: number;
  skips: number;
  lastCorrectionAt: number | null;
}

export interface AnnotatorStatsRepository {
  annotators(): Promise<AnnotatorRow[]>;
  /** Latest revision per (annotator, item) of studio corrections whose text has an adjudication, with that adjudication's entities. */
  adjudicatedPairs(): Promise<Array<{ annotatorId: string; entities: GoldEntity[]; gold: GoldEntity[] }>>;
  spotChecks(): Promise<Array<{ annotatorId: string; verdict: 'ok' | 'wrong'; n: number }>>;
  /** Latest revision per (annotator, text) of studio corrections on texts that two or more annotators corrected. */
  sharedCorrections(): Promise<Array<{ textHash: string; annotatorId: string; text: string; entities: GoldEntity[] }>>;
}

// ---- metrics -------------------------------------------------------------------------------

export interface StudioMetrics {
  correctionSubmitted(origin: Correction['origin'], duplicate: boolean): void;
  correctionRejected(reason: string): void;
  claim(result: 'claimed' | 'renewed' | 'empty' | 'conflict'): void;
  skip(): void;
}

// ---- entity types ---------------------------------------------------------------------------

/** entity_types + entity_type_guidelines (the studio's presentation of the label set). */
export interface EntityTypeStore {
  /** Active custom types and every type with a guideline, each with its latest guideline. */
  list(): Promise<EntityTypeRow[]>;
  /** Stores an admin-added type (again, when it was removed) with guideline version 1 (or the next); returns that version. */
  add(t: { type: string; colour: string; shortcut: string | null; guideline: string; by: string }): Promise<number>;
  /** Appends a guideline version of a type; returns it. */
  addGuideline(type: string, body: string, by: string): Promise<number>;
  /** Marks an admin-added type removed; false when it is not one. */
  remove(type: string, by: string, note: string | null): Promise<boolean>;
}

// ---- audit ------------------------------------------------------------------------------------

/** audit_log: append-only. */
export interface AuditStore {
  record(e: Omit<AuditEntry, 'seq' | 'at'>): Promise<void>;
  list(f: AuditFilter): Promise<AuditEntry[]>;
}
