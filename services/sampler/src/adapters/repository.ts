// SamplerRepository on the platform's SqlClient (PostgreSQL or PGlite): the sampler's own tables
// (sampler_window, sampler_selections, sampler_promotions) and its outbox rows.
import type { Entity, ReviewCandidate, Selection, SelectionState, TopicSpec } from '@zhner/contracts';
import { enqueueOutbox, type SqlClient } from '@zhner/store';
import { SCORE_NAMES, type ScoreName, type Scores } from '../domain/scores';
import type { Promotion, WindowState } from '../domain/window';
import {
  SELECTION_STATES,
  type KnownText,
  type NewCandidate,
  type PromotionOutcome,
  type SamplerRepository,
  type WindowEntry,
  type WindowTx,
  type WrittenCandidate,
} from '../app/ports';
import { SQL, WINDOW_LOCK_KEY } from './queries';

interface WindowRow {
  text_hash: string;
  doc_id: string;
  source: string;
  text: string;
  model_version: string;
  scores: Record<string, number>;
  average_confidence: number;
  predicted: Entity[];
  embedding: number[];
  predicted_at_ms: number;
}

/** Scores of a row written by an older sampler may lack newer names: those count as 0. */
function toScores(raw: Record<string, number>): Scores {
  const out = {} as Record<ScoreName, number>;
  for (const name of SCORE_NAMES) out[name] = typeof raw[name] === 'number' ? raw[name] : 0;
  return out;
}

function fromRow(r: WindowRow): WindowEntry {
  return {
    textHash: r.text_hash,
    docId: r.doc_id,
    source: r.source,
    text: r.text,
    modelVersion: r.model_version,
    scores: toScores(r.scores),
    averageConfidence: r.average_confidence,
    predicted: r.predicted,
    embedding: r.embedding.map(Number),
    predictedAt: r.predicted_at_ms,
  };
}

class WindowTransaction implements WindowTx {
  constructor(
    private readonly tx: SqlClient,
    private readonly topic: TopicSpec<'ReviewCandidate'>,
  ) {}

  async state(): Promise<WindowState> {
    const { rows } = await this.tx.query<{ n: number; oldest_age_ms: number | null }>(SQL.windowState);
    return { count: rows[0].n, oldestAgeMs: rows[0].oldest_age_ms };
  }

  async oldest(limit: number): Promise<WindowEntry[]> {
    const { rows } = await this.tx.query<WindowRow>(SQL.oldest, [limit]);
    return rows.map(fromRow);
  }

  async selectedHashes(hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const { rows } = await this.tx.query<{ text_hash: string }>(SQL.selectedHashes, [hashes]);
    return new Set(rows.map((r) => r.text_hash));
  }

  async writeCandidates(candidates: NewCandidate[]): Promise<WrittenCandidate[]> {
    const out: WrittenCandidate[] = [];
    for (const { candidate: c, embedding } of candidates) {
      const { rows } = await this.tx.query<{ candidate_id: string; inserted: boolean }>(SQL.writeSelection, [
        c.textHash,
        c.candidateId,
        c.docId,
        c.modelVersion,
        c.strategy,
        c.score,
        embedding,
      ]);
      if (rows.length === 0) continue; // selected already (not expired)
      out.push({ candidate: { ...c, candidateId: rows[0].candidate_id }, reopened: !rows[0].inserted });
    }
    return out;
  }

  async enqueueEvents(candidates: ReviewCandidate[]): Promise<void> {
    if (candidates.length === 0) return;
    await enqueueOutbox(
      this.tx,
      candidates.map((c) => {
        this.topic.validate(c);
        return {
          topic: this.topic.name,
          key: this.topic.key(c),
          payload: this.topic.codec.encode(c),
          headers: this.topic.codec.headers,
          dedupeKey: `sampler:${c.candidateId}:${c.modelVersion}`,
        };
      }),
    );
  }

  async remove(hashes: string[]): Promise<void> {
    if (hashes.length > 0) await this.tx.query(SQL.removeFromWindow, [hashes]);
  }
}

export class SqlSamplerRepository implements SamplerRepository {
  constructor(
    private readonly db: SqlClient,
    private readonly reviewCandidates: TopicSpec<'ReviewCandidate'>,
  ) {}

  async known(hashes: string[]): Promise<KnownText[]> {
    if (hashes.length === 0) return [];
    const [w, q] = await Promise.all([
      this.db.query<{ text_hash: string; doc_id: string }>(SQL.knownInWindow, [hashes]),
      this.db.query<{ text_hash: string; doc_id: string; state: SelectionState }>(SQL.knownSelected, [hashes]),
    ]);
    return [
      ...w.rows.map((r) => ({ textHash: r.text_hash, docId: r.doc_id, place: 'window' as const })),
      ...q.rows.map((r) => ({ textHash: r.text_hash, docId: r.doc_id, place: r.state })),
    ];
  }

  async addToWindow(entries: WindowEntry[]): Promise<Set<string>> {
    return this.db.transaction(async (tx) => {
      const added = new Set<string>();
      for (const e of entries) {
        const { rows } = await tx.query<{ text_hash: string }>(SQL.addToWindow, [
          e.textHash,
          e.docId,
          e.source,
          e.text,
          e.modelVersion,
          JSON.stringify(e.scores),
          e.averageConfidence,
          JSON.stringify(e.predicted),
          e.embedding,
          e.predictedAt,
        ]);
        if (rows.length > 0) added.add(e.textHash);
      }
      return added;
    });
  }

  async windowState(): Promise<WindowState> {
    return new WindowTransaction(this.db, this.reviewCandidates).state();
  }

  withWindowLock<T>(fn: (tx: WindowTx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      // PGlite is one connection and serialises transactions; PostgreSQL needs the lock across instances
      if (this.db.kind === 'postgres') await tx.query(SQL.windowLock, [WINDOW_LOCK_KEY]);
      return fn(new WindowTransaction(tx, this.reviewCandidates));
    });
  }

  async labelledEmbeddings(limit: number): Promise<number[][]> {
    const { rows } = await this.db.query<{ embedding: number[] }>(SQL.labelledEmbeddings, [limit]);
    return rows.map((r) => r.embedding.map(Number));
  }

  async markLabelled(corrections: Array<{ candidateId: string | null; textHash: string }>): Promise<number> {
    let n = 0;
    for (const c of corrections) n += (await this.db.query(SQL.markLabelled, [c.candidateId, c.textHash])).rowCount;
    return n;
  }

  async selectionCounts(): Promise<Record<SelectionState, number>> {
    const { rows } = await this.db.query<{ state: SelectionState; n: number }>(SQL.selectionCounts);
    const out = Object.fromEntries(SELECTION_STATES.map((s) => [s, 0])) as Record<SelectionState, number>;
    for (const r of rows) if (r.state in out) out[r.state] = r.n;
    return out;
  }

  applyPromotion(p: { eventId: string; modelVersion: string; previousVersion: string | null; at: number }): Promise<PromotionOutcome> {
    return this.db.transaction(async (tx) => {
      const recorded = await tx.query(SQL.recordPromotion, [p.eventId, p.modelVersion, p.previousVersion, p.at]);
      if (recorded.rowCount === 0) return { applied: false, expired: 0, windowDropped: 0 };
      const expired = (await tx.query(SQL.expireSelected, [p.modelVersion, p.at])).rowCount;
      const windowDropped = (await tx.query(SQL.dropWindow, [p.modelVersion, p.at])).rowCount;
      await tx.query(SQL.promotionCounts, [p.eventId, expired, windowDropped]);
      return { applied: true, expired, windowDropped };
    });
  }

  async latestPromotion(): Promise<Promotion | null> {
    const { rows } = await this.db.query<{ model_version: string; promoted_at_ms: number }>(SQL.latestPromotion);
    return rows.length === 0 ? null : { modelVersion: rows[0].model_version, at: rows[0].promoted_at_ms };
  }

  async listSelections(state: SelectionState, limit: number, offset: number): Promise<Selection[]> {
    const { rows } = await this.db.query<{
      candidate_id: string;
      doc_id: string;
      text_hash: string;
      model_version: string;
      strategy: string;
      score: number;
      state: SelectionState;
      selected_at: Date;
      labelled_at: Date | null;
    }>(SQL.listSelections, [state, limit, offset]);
    return rows.map((r) => ({
      candidateId: r.candidate_id,
      docId: r.doc_id,
      textHash: r.text_hash,
      modelVersion: r.model_version,
      strategy: r.strategy,
      score: r.score,
      state: r.state,
      selectedAt: new Date(r.selected_at).toISOString(),
      labelledAt: r.labelled_at === null ? null : new Date(r.labelled_at).toISOString(),
    }));
  }

  async ping(): Promise<void> {
    await this.db.query(SQL.ping);
  }
}
