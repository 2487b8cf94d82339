// POST /ner, the admin routes and the ops routes, on a replica with fake engines.
import { startFakeTagger, type FakeTagger } from '../testing/harness';
import { listen, type TestClient } from '../testing/http';

describe('tagger HTTP API', () => {
  let t: FakeTagger;
  let http: TestClient;
  beforeAll(async () => {
    t = await startFakeTagger({ TAGGER_HTTP_MAX_TEXT_LENGTH: '20', TAGGER_HTTP_MAX_TEXTS: '3', ADMIN_TOKEN: 's3cret' });
    await t.tagger.whenReady();
    http = await listen(t.tagger.app);
  });
  afterAll(async () => {
    await t.close();
  });

  it('tags one text: entities with offsets, type, surface text and confidence, plus the model version', async () => {
    const res = await http.request('POST', '/ner', { text: '今天😀李鹏在北京' });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ modelVersion: 'v1', textLength: 9, cached: false });
    expect(body.entities).toEqual([
      { start: 4, end: 6, cpStart: 3, cpEnd: 5, type: 'PER', text: '李鹏', score: 0.9 },
      { start: 7, end: 9, cpStart: 6, cpEnd: 8, type: 'LOC', text: '北京', score: 0.9 },
    ]);
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(0);
    // the same text again comes from the cache
    expect((await http.request('POST', '/ner', { text: '今天😀李鹏在北京' })).json()).toMatchObject({ cached: true, modelVersion: 'v1' });
  });

  it('tags several texts in one request, in order', async () => {
    const res = await http.request('POST', '/ner', { texts: ['上海', '国务院', '无'] });
    expect(res.status).toBe(200);
    expect(res.json().results.map((r: { entities: Array<{ type: string }> }) => r.entities.map((e) => e.type))).toEqual([['LOC'], ['ORG'], []]);
  });

  it.each([
    ['missing text', {}, 'TEXTS_REQUIRED', 'text'],
    ['both text and texts', { text: 'a', texts: ['b'] }, 'TEXTS_REQUIRED', 'text'],
    ['empty text', { text: '' }, 'EMPTY_TEXT', 'text'],
    ['non-string text', { text: 42 }, 'VALIDATION_FAILED', 'body.text'],
    ['null text', { text: null }, 'VALIDATION_FAILED', 'body.text'],
    ['oversized text', { text: '长'.repeat(21) }, 'TEXT_TOO_LONG', 'text'],
    ['unpaired surrogate', { text: 'a\ud800b' }, 'INVALID_UNICODE', 'text'],
    ['empty list', { texts: [] }, 'EMPTY_TEXT', 'texts'],
    ['too many texts', { texts: ['a', 'b', 'c', 'd'] }, 'TOO_MANY_TEXTS', 'texts'],
    ['non-string item', { texts: ['a', 1] }, 'VALIDATION_FAILED', 'body.texts.1'],
    ['empty item', { texts: ['a', ''] }, 'EMPTY_TEXT', 'texts[1]'],
    ['unknown field', { txt: 'a' }, 'VALIDATION_FAILED', 'body'],
  ])('400 for %s', async (_name, body, code, field) => {
    const res = await http.request('POST', '/ner', body);
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
    expect(res.json().error.message.length).toBeGreaterThan(5);
  });

  it('400 for malformed JSON and for a body that is not an object', async () => {
    expect((await http.raw('POST', '/ner', '{"text": ')).status).toBe(400);
    expect((await http.request('POST', '/ner', ['北京'])).status).toBe(400);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await http.request('GET', '/healthz')).json()).toMatchObject({ status: 'ok', replicaId: 'r1', modelVersion: 'v1' });
    expect((await http.request('GET', '/readyz')).json()).toEqual({ status: 'ready' });
    const metrics = (await http.request('GET', '/metrics')).text;
    for (const name of [
      'zhner_tagger_inference_batch_seconds_bucket',
      'zhner_tagger_document_seconds_bucket',
      'zhner_tagger_batch_size_bucket',
      'zhner_tagger_queue_wait_seconds_bucket',
      'zhner_tagger_documents_total',
      'zhner_tagger_entities_total{type="PER"',
      'zhner_tagger_cache_hit_ratio',
      'zhner_tagger_rejected_total{reason="TEXT_TOO_LONG",origin="http"',
      'zhner_tagger_model_info{version="v1",precision="int8"',
      'zhner_tagger_http_request_seconds_bucket',
    ]) {
      expect(metrics).toContain(name);
    }
  });

  it('protects the admin routes with the bearer token', async () => {
    expect((await http.request('GET', '/admin/model')).status).toBe(401);
    expect((await http.request('GET', '/admin/model', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await http.request('GET', '/admin/model', undefined, { authorization: 'Bearer s3cret' });
    expect(ok.json()).toMatchObject({ replicaId: 'r1', modelVersion: 'v1', state: 'READY', lastError: null });
  });

  it('hot-swaps to a registered version, reports a failed swap with its code, refuses paths, and rolls back', async () => {
    const auth = { authorization: 'Bearer s3cret' };
    const swap = await http.request('POST', '/admin/model', { modelVersion: 'v2' }, auth);
    expect(swap.status).toBe(200);
    expect(swap.json()).toMatchObject({ status: 'applied', modelVersion: 'v2', previousVersion: 'v1', changed: true });
    expect((await http.request('POST', '/ner', { text: '北京' })).json().modelVersion).toBe('v2');

    t.resolver.badChecksum.add('v3'); // the registry's checksum does not match the directory
    const bad = await http.request('POST', '/admin/model', { modelVersion: 'v3' }, auth);
    expect(bad.status).toBe(422);
    expect(bad.json().error.code).toBe('MODEL_CHECKSUM_MISMATCH');
    expect(JSON.stringify(bad.json())).not.toMatch(/\/models\//); // no path in the answer
    const status = (await http.request('GET', '/admin/model', undefined, auth)).json();
    expect(status).toMatchObject({ modelVersion: 'v2', lastError: { code: 'MODEL_CHECKSUM_MISMATCH' } });
    expect(JSON.stringify(status)).not.toMatch(/\/models\//);
    // model references are registry versions, never paths
    for (const body of [{ modelUri: '../../../../etc' }, { modelUri: '/models/v2', modelVersion: 'v2' }, { path: '/etc' }]) {
      const r = await http.request('POST', '/admin/model', body, auth);
      expect([r.status, r.json().error.code]).toEqual([400, 'PATH_REFUSED']);
    }
    t.resolver.unknown.add('v404');
    const unknown = await http.request('POST', '/admin/model', { modelVersion: 'v404' }, auth);
    expect([unknown.status, unknown.json().error.code]).toEqual([404, 'UNKNOWN_MODEL_VERSION']);
    expect((await http.request('POST', '/admin/model', { modelVersion: '' }, auth)).status).toBe(400);
    // a path sent as a version: refused by the version pattern, not echoed
    const asVersion = await http.request('POST', '/admin/model', { modelVersion: '../../../../etc/passwd' }, auth);
    expect([asVersion.status, asVersion.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.stringify(asVersion.json())).not.toContain('/etc');

    const rb = await http.request('POST', '/admin/model/rollback', undefined, auth);
    expect(rb.json()).toMatchObject({ status: 'applied', modelVersion: 'v1', previousVersion: 'v2' });
    expect((await http.request('POST', '/ner', { text: '北京' })).json().modelVersion).toBe('v1');
  });
});
