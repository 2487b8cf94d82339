// Helpers for tests and local set-ups (exported as `testkit` from @zhner/studio): issue a token
// without the CLI, and put review candidates in the queue as the sampler's events would.
import type { Entity, ModelList, ModelVersion, Replica, Rollout, TrainingRun } from '@zhner/contracts';
import { textHash } from '@zhner/core';
import type { SqlClient } from '@zhner/store';
import { SqlAuthRepository } from './adapters/sql/authRepository';
import { generateToken, type Role } from './domain/tokens';
import type { RegistryReader, RolloutReader } from './app/ports';

/** Creates (or updates) an annotator and returns a fresh bearer token for it. */
export async function issueToken(db: SqlClient, annotatorId: string, role: Role = 'annotator', displayName = annotatorId): Promise<string> {
  const t = generateToken();
  const repo = new SqlAuthRepository(db);
  await repo.upsertAnnotator(annotatorId, displayName, role);
  await repo.insertToken(t.tokenId, annotatorId, t.hash);
  return t.token;
}

export interface CandidateFixture {
  candidateId: string;
  text: string;
  priority?: number;
  strategy?: string;
  score?: number;
  scores?: Record<string, number>;
  /** Predicted entities as [start, end, type, score?]. */
  predicted?: Array<[number, number, string, number?]>;
  modelVersion?: string;
  docId?: string;
}

/** Inserts an open review candidate, as if its ner.review-candidates.v1 event had arrived. */
export async function insertCandidate(db: SqlClient, c: CandidateFixture): Promise<void> {
  const predicted: Entity[] = (c.predicted ?? []).map(([start, end, type, score]) => ({
    start,
    end,
    cpStart: Array.from(c.text.slice(0, start)).length,
    cpEnd: Array.from(c.text.slice(0, end)).length,
    type,
    text: c.text.slice(start, end),
    score: score ?? 0.9,
  }));
  await db.query(
    `INSERT INTO review_queue (candidate_id, doc_id, source, text, text_hash, model_version, strategy, score, scores, priority, predicted)
     VALUES ($1, $2, 'test', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      c.candidateId,
      c.docId ?? `doc-${c.candidateId}`,
      c.text,
      textHash(c.text),
      c.modelVersion ?? 'test-model-1',
      c.strategy ?? 'sampler.entropy.v1',
      c.score ?? 0.5,
      JSON.stringify(c.scores ?? { entropy: c.score ?? 0.5 }),
      c.priority ?? 1,
      JSON.stringify(predicted),
    ],
  );
}

/** A registry version as the orchestrator publishes it (GET /models), with defaults for the rest. */
export function modelVersion(v: Partial<ModelVersion> & { version: string }): ModelVersion {
  return {
    name: 'zh-ner',
    uri: `models/${v.version}`,
    manifestSha256: 'a'.repeat(64),
    parentVersion: null,
    status: 'registered',
    entityTypes: ['PER', 'LOC', 'ORG'],
    metrics: { dev: null, holdout: null, extraDev: {}, base: null },
    trainingRunId: null,
    createdAt: new Date(0).toISOString(),
    promotedAt: null,
    ...v,
  };
}

/** In-memory stand-ins of the registry and reloader APIs (the ports the studio reads them through). */
export class FakeUpstreams implements RegistryReader, RolloutReader {
  versions: ModelVersion[] = [];
  labelSet: string[] = ['PER', 'LOC', 'ORG'];
  runList: TrainingRun[] = [];
  replicaList: Replica[] = [];
  rolloutList: Rollout[] = [];

  async models(limit: number): Promise<ModelList> {
    const promoted = this.versions.find((v) => v.status === 'promoted')?.version ?? null;
    return { promoted, labelSet: [...this.labelSet], models: this.versions.slice(0, limit) };
  }
  async model(version: string): Promise<ModelVersion | undefined> {
    return this.versions.find((v) => v.version === version);
  }
  async runs(limit: number): Promise<TrainingRun[]> {
    return this.runList.slice(0, limit);
  }
  async replicas(): Promise<Replica[]> {
    return this.replicaList;
  }
  async rollouts(limit: number): Promise<Rollout[]> {
    return this.rolloutList.slice(0, limit);
  }
}
