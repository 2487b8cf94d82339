// Read models for the Models and Annotators pages: the registry with summarized metrics, who
// serves what, rollouts, chart series and per-annotator quality figures.
import { histogram, pointsFor, sameEntities, spanF1, type Bin } from '../domain/quality';
import { summarizeMetrics, type MetricSummary } from '../domain/models';
import type { AnnotatorRow, AnnotatorStatsRepository, DashboardRepository, ModelVersionRow, ReplicaRow, RolloutRow, TrainingRunRow } from './ports';

export interface ModelsOverview {
  versions: Array<ModelVersionRow & { summary: MetricSummary }>;
  runs: TrainingRunRow[];
  replicas: ReplicaRow[];
  rollouts: RolloutRow[];
  /** Latest promoted version, if any. */
  promoted: string | null;
}

export interface Charts {
  /** Oldest first. */
  f1: Array<{ version: string; createdAt: number; devF1: number | null; holdoutF1: number | null; devPerType: Record<string, number> }>;
  correctionsPerDay: Array<{ day: string; n: number }>;
  queueDepth: Array<{ day: string; depth: number }>;
  uncertainty: { queued: Bin[]; all: Bin[] };
}

export interface AnnotatorStats extends AnnotatorRow {
  /** Items whose text was adjudicated, and of those how many this annotator matched exactly. */
  adjudicated: number;
  agreed: number;
  /** Mean span F1 against the adjudicated gold (null when nothing was adjudicated). */
  agreementF1: number | null;
  spotChecksOk: number;
  spotChecksWrong: number;
  points: number;
}

export class Dashboard {
  constructor(
    private readonly repo: DashboardRepository,
    private readonly stats: AnnotatorStatsRepository,
  ) {}

  async models(): Promise<ModelsOverview> {
    const [versions, runs, replicas, rollouts] = await Promise.all([this.repo.modelVersions(100), this.repo.trainingRuns(20), this.repo.replicas(), this.repo.rollouts(20)]);
    const promoted = versions.filter((v) => v.status === 'promoted').sort((a, b) => (b.promotedAt ?? 0) - (a.promotedAt ?? 0))[0];
    return { versions: versions.map((v) => ({ ...v, summary: summarizeMetrics(v.metrics) })), runs, replicas, rollouts, promoted: promoted?.version ?? null };
  }

  async charts(days = 30): Promise<Charts> {
    const [versions, perDay, depth, scores] = await Promise.all([this.repo.modelVersions(100), this.repo.correctionsPerDay(days), this.repo.queueDepthPerDay(days), this.repo.uncertaintyScores(5000)]);
    const f1 = [...versions]
      .sort((a, b) => a.createdAt - b.createdAt)
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
}
