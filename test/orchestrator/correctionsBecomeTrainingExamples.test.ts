// Corrections on the real topic land in training_examples: once per correction id, a newer
// revision supersedes the older one, an adjudication wins, and a correction with a type outside the
// model's label set (or spans that do not match the text) goes to the dead-letter topic.
import path from 'node:path';
import { DLT_HEADERS } from '@zhner/bus';
import { consumerGroup, type Correction } from '@zhner/contracts';
import { writeFakeModelDir } from '@zhner/trainer-orchestrator/testing';
import { committedOffsets, readTopic, waitFor } from '@zhner/test';
import { startOrchestratorFixture, type OrchestratorFixture } from './support';

jest.setTimeout(120_000);

let seq = 0;
const correction = (text: string, entities: Correction['entities'], over: Partial<Correction> = {}): Correction => ({
  correctionId: `c-${++seq}`,
  candidateId: `k-${seq}`,
  docId: `d-${seq}`,
  text,
  annotator: 'ann-1',
  revision: 0,
  entities,
  modelVersion: 'base-v1',
  origin: 'STUDIO',
  createdAt: Date.now() + seq,
  ...over,
});

describe('corrections topic → training_examples', () => {
  let f: OrchestratorFixture;
  beforeAll(async () => {
    f = await startOrchestratorFixture({
      prepare: (dir) => writeFakeModelDir(path.join(dir, 'base'), 'base-v1', ['LOC', 'ORG', 'PER']),
      env: (dir) => ({ MODEL_DIR: path.join(dir, 'base'), HOLDOUT_SHARE: '0' }),
    });
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** The corrections consumer group: TOPIC_PREFIX + trainer-orchestrator. */
  const group = () => consumerGroup(f.topics, 'trainer-orchestrator');
  const rows = async () =>
    (await f.db.query<{ correction_id: string; superseded_by: string | null; split: string; entities: unknown }>('SELECT correction_id, superseded_by, split, entities FROM training_examples ORDER BY correction_id')).rows;

  it('stores each correction once, supersedes revisions, prefers adjudications and dead-letters invalid ones', async () => {
    const text = '国务院总理李鹏在北京会见了日本客人';
    const r0 = correction(text, [{ start: 5, end: 7, type: 'PER', text: '李鹏' }], { revision: 0 });
    const r1 = correction(text, [{ start: 5, end: 7, type: 'PER', text: '李鹏' }, { start: 8, end: 10, type: 'LOC', text: '北京' }], { revision: 1, candidateId: r0.candidateId });
    const other = correction(text, [{ start: 0, end: 3, type: 'ORG', text: '国务院' }], { annotator: 'ann-2' });
    const adjudicated = correction(text, [{ start: 0, end: 3, type: 'ORG', text: '国务院' }, { start: 5, end: 7, type: 'PER', text: '李鹏' }, { start: 8, end: 10, type: 'LOC', text: '北京' }], { annotator: 'admin', origin: 'ADJUDICATION', createdAt: 1 });
    const emoji = correction('😀王军去了上海', [{ start: 2, end: 4, type: 'PER', text: '王军' }]);
    const badType = correction('小米手机很好用', [{ start: 0, end: 4, type: 'PRODUCT', text: '小米手机' }]);
    const badSpan = correction('张三在广州', [{ start: 0, end: 2, type: 'PER', text: '李四' }]);
    // one partition for all (same key): the order is kept and the duplicate comes last
    const key = 'same';
    await f.bus.publish(f.topics.corrections, [r0, r1, other, emoji, badType, badSpan, r0].map((value) => ({ value, key })));
    await f.bus.publish(f.topics.corrections, [{ value: adjudicated, key }]);

    await waitFor(async () => (await rows()).length === 5, 60_000, 'five stored corrections');
    await waitFor(async () => [...(await committedOffsets(group(), f.topics.corrections.name)).values()].some((o) => o === 8), 30_000, 'all eight committed');
    const stored = await rows();
    expect(stored.map((r) => r.correction_id).sort()).toEqual([r0, r1, other, emoji, adjudicated].map((c) => c.correctionId).sort());
    const byId = new Map(stored.map((r) => [r.correction_id, r]));
    // the adjudication wins for the text, although it is the oldest; the others point at it
    expect(byId.get(adjudicated.correctionId)!.superseded_by).toBeNull();
    for (const c of [r0, r1, other]) expect(byId.get(c.correctionId)!.superseded_by).toBe(adjudicated.correctionId);
    expect(byId.get(emoji.correctionId)).toMatchObject({ superseded_by: null, split: 'train', entities: [{ start: 2, end: 4, type: 'PER', text: '王军' }] });

    const dead = await readTopic(f.topics.deadLetters.name, (m) => m.length >= 2, 30_000);
    expect(dead).toHaveLength(2);
    // the span check runs when the message is decoded, the label-set check in the handler: both end here
    const letters = new Map(
      dead.map((m) => {
        const letter = f.topics.deadLetters.codec.decode(m.value);
        return [f.topics.corrections.codec.decode(letter.payload).correctionId, { code: m.headers![DLT_HEADERS.errorCode]!.toString(), letter }];
      }),
    );
    expect(letters.get(badType.correctionId)).toMatchObject({ code: 'UNKNOWN_TYPE', letter: { reason: expect.stringMatching(/"PRODUCT" is not in the label set \(LOC, ORG, PER\)/), consumerGroup: group() } });
    expect(letters.get(badSpan.correctionId)).toMatchObject({ code: 'SURFACE_MISMATCH', letter: { reason: expect.stringMatching(/differs from the slice/) } });

    const metrics = (await f.service.app!.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/zhner_orchestrator_corrections_total\{result="stored",service="trainer-orchestrator"\} 5/);
    expect(metrics).toMatch(/zhner_orchestrator_corrections_total\{result="duplicate",service="trainer-orchestrator"\} 1/);
    // (the span mismatch is caught by the bus while decoding; only the label-set rejection is the handler's)
    expect(metrics).toMatch(/zhner_orchestrator_corrections_total\{result="rejected",service="trainer-orchestrator"\} 1/);
    expect(metrics).toMatch(/zhner_orchestrator_backlog_examples\{service="trainer-orchestrator"\} 2/);
  });
});
