// What the sampler's use cases need from the outside world. Adapters implement these with SQL and
// prom-client; unit tests with fakes or PGlite.
import type { Entity, ReviewCandidate, Selection, SelectionState } from '@zhner/contracts';
import type { Scores } from '../domain/scores';
import type { Promotion, WindowState } from '../domain/window';

export { SELECTION_STATES, type SelectionState } from '@zhner/contracts';

/** A scored prediction that passed the gate, waiting in the persisted selection window. */
export interface WindowEntry {
  textHash: string;
  docId: string;
  source: string;
  text: string;
  modelVersion: string;
  scores: Scores;
  averageConfidence: number;
  predicted: Entity[];
  embedding: number[];
  /** Epoch ms. */
  predictedAt: number;
}

/** Where a text already is: in the window, or among the selections with a state. */
export interface KnownText {
  textHash: string;
  docId: string;
  place: 'window' | SelectionState;
}

export interface NewCandidate {
  candidate: ReviewCandidate;
  embedding: number[];
}

export interface WrittenCandidate {
  /** As stored: a re-opened row keeps its candidate id. */
  candidate: ReviewCandidate;
  reopened: boolean;
}

/** The window, inside one transaction that holds the window lock. */
export interface WindowTx {
  state(): Promise<WindowState>;
  /** The `limit` oldest entries. */
  oldest(limit: number): Promise<WindowEntry[]>;
  /** Those of `hashes` that were selected before (any state but expired). */
  selectedHashes(hashes: string[]): Promise<Set<string>>;
  /**
   * Records the selections; a text whose selection had expired is selected again (same candidate
   * id). A text selected and not expired is skipped (not returned).
   */
  writeCandidates(candidates: NewCandidate[]): Promise<WrittenCandidate[]>;
  /** Enqueues the ReviewCandidate events in the transactional outbox. */
  enqueueEvents(candidates: ReviewCandidate[]): Promise<void>;
  remove(hashes: string[]): Promise<void>;
}

export interface PromotionOutcome {
  /** False when this event had been handled before (redelivery). */
  applied: boolean;
  expired: number;
  windowDropped: number;
}

export interface SamplerRepository {
  /** Where each of `hashes` already is (window or queue). */
  known(hashes: string[]): Promise<KnownText[]>;
  /** Adds entries to the window; an entry whose text is already there is skipped. Returns the hashes added. */
  addToWindow(entries: WindowEntry[]): Promise<Set<string>>;
  windowState(): Promise<WindowState>;
  /** Runs `fn` in one transaction holding the window lock (one flush at a time across instances). */
  withWindowLock<T>(fn: (tx: WindowTx) => Promise<T>): Promise<T>;
  /** Embeddings of the most recently labelled selections. */
  labelledEmbeddings(limit: number): Promise<number[][]>;
  /** Marks selections labelled (from the corrections topic); returns how many changed. Idempotent. */
  markLabelled(corrections: Array<{ candidateId: string | null; textHash: string }>): Promise<number>;
  selectionCounts(): Promise<Record<SelectionState, number>>;
  /**
   * Records a promotion; expires unlabelled selections of other model versions made before it (so
   * re-tagged texts can be selected again) and drops window entries of other versions predicted
   * before it. Idempotent per event id.
   */
  applyPromotion(p: { eventId: string; modelVersion: string; previousVersion: string | null; at: number }): Promise<PromotionOutcome>;
  latestPromotion(): Promise<Promotion | null>;
  listSelections(state: SelectionState, limit: number, offset: number): Promise<Selection[]>;
  ping(): Promise<void>;
}

/** Publishes what the outbox holds (the relay); best effort, it retries on its own. */
export interface EventRelay {
  flush(): Promise<unknown>;
}

export type PredictionOutcome = 'windowed' | 'gated_out' | 'duplicate' | 'redelivered' | 'stale_model';
export type DuplicateStage = 'window' | 'selected';

/** Metrics the use cases report (prom-client lives in the adapter). */
export interface SamplerMetrics {
  scored(scores: Scores, averageConfidence: number): void;
  prediction(outcome: PredictionOutcome, n?: number): void;
  duplicates(stage: DuplicateStage, n: number): void;
  windowFlushed(w: { trigger: string; size: number; clusters: number; selected: number; seconds: number }): void;
  candidatesEmitted(strategy: string, n: number, reopened: number): void;
  expired(n: number): void;
  selections(counts: Record<SelectionState, number>): void;
  labelled(n: number): void;
}
