// Read models for the Models and Annotators pages: the registry with summarized metrics, who
// serves what, rollouts, chart series and per-annotator quality figures.
import { histogram, pointsFor, sameEntities, spanF1 } from '../domain/quality';
import { summarizeMetrics } from '../domain/models';
import { agreementMatrix, type PairAgreement } from '../domain/agreement';
import type { AnnotatorStats, Charts, ModelsOverview } from '@zhner/contracts';
import type { AnnotatorStatsRepository, QueueStatsRepository, RegistryReader, RolloutReader } from './ports';

// the shapes are the published contracts of the studio API (one definition, shared with the web)
export type { AnnotatorStats, Charts, ModelsOverview } from '@zhner/contracts';

export class Dashboard {
  constructor(
    private readonly registry: RegistryReader,
    private readonly rolloutReader: RolloutReader,
    private readonly queueStats: QueueStatsRepository,
    private readonly stats: AnnotatorStatsRepository,
  ) {}

  async models(): Promise<ModelsOverview> {
    const [list, runs, replicas, rollouts] = await Promise.all([this.registry.models(100), this.registry.runs(20), this.rolloutReader.replicas(), this.rolloutReader.rollouts(20)]);
    return { versions: list.models.map((v) => ({ ...v, summary: summarizeMetrics(v.metrics) })), runs, replicas, rollouts, promoted: list.promoted };
  }

  async charts(days = 30): Promise<Charts> {
    const [list, perDay, depth, scores] = await Promise.all([this.registry.models(100), this.queueStats.correctionsPerDay(days), this.queueStats.queueDepthPerDay(days), this.queueStats.uncertaintyScores(5000)]);
    const versions = list.models;
    const f1 = [...versions]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((v) => {
        const s = summarizeMetrics(v.metrics);
        return { version: v.version, createdAt: v.createdAt, devF1: s.devF1, holdoutF1: s.holdoutF1, devPerType: s.devPerType };
      });
    const all = scores.all;
    const lo = all.length ? Math.min(...all) : 0;
    const hi = all.length ? Math.max(...all) : 1;
    return { f1, correctionsPerDay: perDay, queueDepth: depth, uncertainty: { queued: histogram(scores.queued, 20, lo, hi), all: histogram(all, 20, lo, hi) } };
  }

  async annotators(): Promise<AnnotatorStats[]> {
    const [rows, pairs, checks] = await Promise.all([this.stats.annotators(), this.stats.adjudicatedPairs(), this.stats.spotChecks()]);
    return rows.map((r) => {
      const mine = pairs.filter((p) => p.annotatorId === r.annotatorId);
      const agreed = mine.filter((p) => sameEntities(p.entities, p.gold)).length;
      const ok = checks.filter((c) => c.annotatorId === r.annotatorId && c.verdict === 'ok').reduce((n, c) => n + c.n, 0);
      const wrong = checks.filter((c) => c.annotatorId === r.annotatorId && c.verdict === 'wrong').reduce((n, c) => n + c.n, 0);
      const agreementF1 = mine.length ? mine.reduce((s, p) => s + spanF1(p.entities, p.gold), 0) / mine.length : null;
      return {
        ...r,
        adjudicated: mine.length,
        agreed,
        agreementF1,
        spotChecksOk: ok,
        spotChecksWrong: wrong,
        points: pointsFor({ corrections: r.corrections, agreedWithAdjudication: agreed, spotChecksOk: ok, spotChecksWrong: wrong }),
      };
    });
  }

  /** Pairwise agreement of annotators on the texts they both corrected (their latest revision each). */
  async agreement(): Promise<PairAgreement[]> {
    const rows = await this.stats.sharedCorrections();
    return agreementMatrix(rows.map((r) => ({ itemId: r.textHash, annotator: r.annotatorId, textLength: r.text.length, spans: r.entities })));
  }
}
