// The sampler's use cases: ingest predictions into the persisted window, flush due windows into
// selections announced on the review-candidates topic (rows + outbox events in one transaction),
// handle promotions and corrections, report the selections.
import type { Correction, ModelEvent, Prediction, ReviewCandidate } from '@zhner/contracts';
import { errorMessage, textHash } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import { computeScores, averageConfidence, passesGate, type ScoreName } from '../domain/scores';
import { HYBRID, selectCandidates, type SelectableDoc, type StrategyName } from '../domain/selection';
import { candidateIdFor, isStale, windowDue, type FlushTrigger, type Promotion } from '../domain/window';
import type { EventRelay, KnownText, NewCandidate, SamplerMetrics, SamplerRepository, WindowEntry } from './ports';

export interface SamplerSettings {
  strategy: StrategyName;
  baseScore: ScoreName;
  /** Gate: a document is reviewable when its mean token confidence is below this. */
  confidenceThreshold: number;
  /** Documents that make a window due. */
  windowSize: number;
  /** Age (ms) of the oldest waiting document that makes a window due. */
  windowIntervalMs: number;
  /** Candidates selected per window at most. */
  budget: number;
  clusters: number;
  perClusterMax: number;
  noveltyWeight: number;
  seed: number;
  kmeansBatchSize: number;
  kmeansIterations: number;
  /** Most labelled embeddings kept for novelty. */
  labelledMax: number;
  /** How long (ms) the labelled-embeddings cache is used before it is reloaded. */
  labelledRefreshMs: number;
}

export interface SamplerDeps {
  repo: SamplerRepository;
  metrics: SamplerMetrics;
  relay?: EventRelay;
  logger: Logger;
  settings: SamplerSettings;
  /** Epoch ms. Default Date.now. */
  now?: () => number;
}

export interface IngestResult {
  /** Indexes (into the input) of predictions that can never be processed, with why. */
  rejected: Array<{ index: number; error: unknown }>;
  windowed: number;
}

export interface FlushResult {
  trigger: FlushTrigger;
  windowSize: number;
  clusters: number;
  emitted: ReviewCandidate[];
  reopened: number;
  duplicates: number;
}

/** One flush or one labelled reload at a time within the process. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const out = this.tail.then(fn, fn);
    this.tail = out.catch(() => undefined);
    return out;
  }
}

export class Sampler {
  private promoted: Promotion | null = null;
  private labelled: { at: number; vectors: number[][] } | undefined;
  private readonly flushLock = new Mutex();
  private readonly now: () => number;

  constructor(private readonly deps: SamplerDeps) {
    this.now = deps.now ?? Date.now;
  }

  get settings(): SamplerSettings {
    return this.deps.settings;
  }

  get promotion(): Promotion | null {
    return this.promoted;
  }

  /** Loads the last promotion recorded, so stale predictions are recognised after a restart. */
  async init(): Promise<void> {
    this.promoted = await this.deps.repo.latestPromotion();
  }

  /**
   * Scores predictions, drops stale, confident and duplicate ones, and adds the rest to the
   * persisted window. When this resolves the documents are durable, so the caller may commit the
   * input offsets. Does not flush (see `flushDue`).
   */
  async ingest(predictions: readonly Prediction[]): Promise<IngestResult> {
    const { metrics, settings } = this.deps;
    const rejected: IngestResult['rejected'] = [];
    const candidates: WindowEntry[] = [];
    predictions.forEach((p, index) => {
      let scores;
      try {
        scores = computeScores(p);
      } catch (error) {
        rejected.push({ index, error });
        return;
      }
      const avg = averageConfidence(p);
      metrics.scored(scores, avg);
      if (isStale(p, this.promoted)) return metrics.prediction('stale_model');
      if (!passesGate(avg, settings.confidenceThreshold)) return metrics.prediction('gated_out');
      candidates.push({
        textHash: textHash(p.text),
        docId: p.docId,
        source: p.source,
        text: p.text,
        modelVersion: p.modelVersion,
        scores,
        averageConfidence: avg,
        predicted: p.entities,
        embedding: p.embedding,
        predictedAt: p.predictedAt,
      });
    });
    if (candidates.length === 0) return { rejected, windowed: 0 };

    const known = new Map<string, KnownText[]>();
    for (const k of await this.deps.repo.known([...new Set(candidates.map((c) => c.textHash))])) known.set(k.textHash, [...(known.get(k.textHash) ?? []), k]);
    const fresh = new Map<string, WindowEntry>();
    let dupWindow = 0;
    let dupSelected = 0;
    let redelivered = 0;
    for (const c of candidates) {
      const seen = (known.get(c.textHash) ?? []).filter((k) => k.place !== 'expired');
      if (seen.some((k) => k.docId === c.docId)) redelivered++; // the same document again: not a second text
      else if (seen.some((k) => k.place !== 'window')) dupSelected++;
      else if (seen.length > 0) dupWindow++;
      else {
        const prior = fresh.get(c.textHash);
        if (prior && prior.docId === c.docId) redelivered++;
        else if (prior) {
          dupWindow++;
          if (c.scores[this.rankScore] > prior.scores[this.rankScore]) fresh.set(c.textHash, c);
        } else fresh.set(c.textHash, c);
      }
    }
    const added = fresh.size > 0 ? await this.deps.repo.addToWindow([...fresh.values()]) : new Set<string>();
    dupWindow += fresh.size - added.size; // lost a race with another instance
    metrics.prediction('windowed', added.size);
    metrics.prediction('duplicate', dupWindow + dupSelected);
    metrics.prediction('redelivered', redelivered);
    metrics.duplicates('window', dupWindow);
    metrics.duplicates('selected', dupSelected);
    return { rejected, windowed: added.size };
  }

  private get rankScore(): ScoreName {
    const s = this.deps.settings.strategy;
    return s === HYBRID || s === 'sampler.random.v1' ? this.deps.settings.baseScore : (s as ScoreName);
  }

  /** Flushes windows while one is due (`force`: flush what is waiting even if not due). Returns the flushes done. */
  flushDue(opts: { force?: boolean; maxWindows?: number } = {}): Promise<FlushResult[]> {
    return this.flushLock.run(async () => {
      const out: FlushResult[] = [];
      const max = opts.maxWindows ?? 100;
      while (out.length < max) {
        const r = await this.flushOne(opts.force ?? false);
        if (!r) break;
        out.push(r);
      }
      if (out.length > 0) await this.afterFlush();
      return out;
    });
  }

  private async flushOne(force: boolean): Promise<FlushResult | undefined> {
    const { repo, settings, metrics } = this.deps;
    const started = process.hrtime.bigint();
    const precheck = await repo.windowState();
    const due = windowDue(precheck, { size: settings.windowSize, intervalMs: settings.windowIntervalMs }) ?? (force && precheck.count > 0 ? 'interval' : null);
    if (!due) return undefined;
    const labelled = settings.strategy === HYBRID ? await this.labelledEmbeddings() : [];
    const result = await repo.withWindowLock(async (tx) => {
      // re-check under the lock: another instance may have flushed meanwhile
      const state = await tx.state();
      const trigger = windowDue(state, { size: settings.windowSize, intervalMs: settings.windowIntervalMs }) ?? (force && state.count > 0 ? 'interval' : null);
      if (!trigger) return undefined;
      const entries = await tx.oldest(settings.windowSize);
      const queued = await tx.selectedHashes(entries.map((e) => e.textHash));
      const docs: Array<WindowEntry & SelectableDoc> = entries.filter((e) => !queued.has(e.textHash)).map((e) => ({ ...e, id: e.docId }));
      const selection = selectCandidates(docs, {
        strategy: settings.strategy,
        baseScore: settings.baseScore,
        budget: settings.budget,
        k: settings.clusters,
        perClusterMax: settings.perClusterMax,
        labelledEmbeddings: labelled,
        noveltyWeight: settings.noveltyWeight,
        seed: settings.seed,
        kmeans: { batchSize: settings.kmeansBatchSize, iterations: settings.kmeansIterations },
      });
      const createdAt = this.now();
      const fresh: NewCandidate[] = selection.selected.map((s) => ({
        embedding: s.doc.embedding,
        candidate: {
          candidateId: candidateIdFor(s.doc.textHash, s.doc.modelVersion),
          docId: s.doc.docId,
          source: s.doc.source,
          text: s.doc.text,
          textHash: s.doc.textHash,
          modelVersion: s.doc.modelVersion,
          strategy: settings.strategy,
          score: s.score,
          scores: { ...s.doc.scores },
          cluster: s.cluster,
          novelty: s.novelty,
          priority: s.priority,
          predicted: s.doc.predicted,
          createdAt,
        },
      }));
      const written = await tx.writeCandidates(fresh);
      await tx.enqueueEvents(written.map((w) => w.candidate));
      await tx.remove(entries.map((e) => e.textHash));
      return {
        trigger,
        windowSize: entries.length,
        clusters: selection.clusters,
        emitted: written.map((w) => w.candidate),
        reopened: written.filter((w) => w.reopened).length,
        // already queued when the window was read, or lost the insert to a concurrent writer
        duplicates: queued.size + selection.duplicates.length + (fresh.length - written.length),
      } satisfies FlushResult;
    });
    if (!result) return undefined;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.windowFlushed({ trigger: result.trigger, size: result.windowSize, clusters: result.clusters, selected: result.emitted.length, seconds });
    metrics.candidatesEmitted(settings.strategy, result.emitted.length, result.reopened);
    metrics.duplicates('selected', result.duplicates);
    this.deps.logger.info(
      { trigger: result.trigger, window: result.windowSize, clusters: result.clusters, emitted: result.emitted.length, reopened: result.reopened, duplicates: result.duplicates },
      'window flushed',
    );
    return result;
  }

  /** After a flush: push the outbox now (the relay also polls) and refresh the queue gauge; failures are logged only. */
  private async afterFlush(): Promise<void> {
    try {
      await this.deps.relay?.flush();
    } catch (err) {
      this.deps.logger.warn({ err: errorMessage(err) }, 'outbox flush after window failed; the relay will retry');
    }
    await this.refreshCounts().catch((err: unknown) => this.deps.logger.warn({ err: errorMessage(err) }, 'selection counts refresh failed'));
  }

  /** Embeddings of labelled documents, reloaded when older than `labelledRefreshMs`. */
  async labelledEmbeddings(): Promise<number[][]> {
    const { settings, repo } = this.deps;
    const now = this.now();
    if (!this.labelled || now - this.labelled.at >= settings.labelledRefreshMs) {
      this.labelled = { at: now, vectors: await repo.labelledEmbeddings(settings.labelledMax) };
    }
    return this.labelled.vectors;
  }

  /**
   * Handles model events. On PROMOTED: unlabelled selections of other versions made before the
   * promotion expire (the sampler holds no model to re-score them; re-tagged documents come back
   * through predictions and can be selected again, under the same candidate id), and window
   * entries of other versions are dropped. The studio expires its open queue items on the same
   * event. Other event types are ignored.
   */
  async onModelEvents(events: readonly ModelEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type !== 'PROMOTED') continue;
      const out = await this.deps.repo.applyPromotion({ eventId: e.eventId, modelVersion: e.modelVersion, previousVersion: e.previousVersion, at: e.at });
      if (!this.promoted || e.at >= this.promoted.at) this.promoted = { modelVersion: e.modelVersion, at: e.at };
      if (out.applied) {
        this.deps.metrics.expired(out.expired);
        this.deps.logger.info({ modelVersion: e.modelVersion, expired: out.expired, windowDropped: out.windowDropped }, 'model promoted: older unlabelled selections expired');
      }
    }
    await this.refreshCounts().catch((err: unknown) => this.deps.logger.warn({ err: errorMessage(err) }, 'selection counts refresh failed'));
  }

  /**
   * Handles corrections: the selections they correct become labelled, so their embeddings count
   * for novelty and their texts are never selected again.
   */
  async onCorrections(corrections: readonly Correction[]): Promise<number> {
    const n = await this.deps.repo.markLabelled(corrections.map((c) => ({ candidateId: c.candidateId, textHash: textHash(c.text) })));
    this.deps.metrics.labelled(n);
    if (n > 0) this.labelled = undefined; // reload the novelty reference at the next flush
    return n;
  }

  async refreshCounts(): Promise<void> {
    this.deps.metrics.selections(await this.deps.repo.selectionCounts());
  }
}
