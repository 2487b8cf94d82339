import { httpCases, kafkaCases } from './cases';
import { judgeHttp, judgeKafka, summarise, table } from './report';

const limits = { maxRecordBytes: 1_048_588 };
const kafka = kafkaCases('t');
const caseOf = (id: string) => kafka.find((c) => c.id === id)!;
const http = (id: string) => httpCases().find((c) => c.id === id)!;

describe('chaos:inputs judging', () => {
  it('has the cases the issue lists, with unique ids', () => {
    const ids = [...kafka.map((c) => c.id), ...httpCases().map((c) => c.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['oversized-1mb', 'invalid-utf8', 'nul', 'map-two-blocks', 'map-negative-count', 'schema-mismatch', 'crlf-only', 'html-injection', 'ner-invalid-utf8', 'ner-proto', 'studio-annotators-anonymous', 'orchestrator-admin-none', 'reloader-path', 'tagger-path', 'reloader-rollouts-limit']) expect(ids).toContain(id);
    expect(caseOf('oversized-1mb').value.length).toBeGreaterThan(1_048_000);
  });

  it('a dead letter must carry an expected code, fit the broker, and be cut with size and hash when asked', () => {
    const nul = caseOf('nul');
    expect(judgeKafka(nul, { deadLetters: [{ errorCode: 'CONTROL_CHARACTER', reason: 'x', recordBytes: 300, headers: {} }], events: [] }, limits).ok).toBe(true);
    expect(judgeKafka(nul, { deadLetters: [{ errorCode: 'INVALID_UTF8', reason: 'x', recordBytes: 300, headers: {} }], events: [] }, limits).ok).toBe(false);
    expect(judgeKafka(nul, { deadLetters: [], events: [{ entities: [] }] }, limits)).toMatchObject({ ok: false, observed: 'tagged: no entities' });
    expect(judgeKafka(nul, { deadLetters: [], events: [] }, limits)).toMatchObject({ ok: false, observed: 'nothing (lost)' });
    const big = caseOf('oversized-1mb');
    const cut = { 'x-dlt-truncated': 'payload', 'x-dlt-original-size': String(big.value.length), 'x-dlt-original-sha256': 'a'.repeat(64) };
    expect(judgeKafka(big, { deadLetters: [{ errorCode: 'PAYLOAD_TOO_LARGE', reason: 'x', recordBytes: 70_000, headers: cut }], events: [] }, limits).ok).toBe(true);
    expect(judgeKafka(big, { deadLetters: [{ errorCode: 'PAYLOAD_TOO_LARGE', reason: 'x', recordBytes: 70_000, headers: {} }], events: [] }, limits).ok).toBe(false);
    expect(judgeKafka(big, { deadLetters: [{ errorCode: 'PAYLOAD_TOO_LARGE', reason: 'x', recordBytes: 2_000_000, headers: cut }], events: [] }, limits).ok).toBe(false);
  });

  it('a tagged case needs exactly one event and none of the forbidden entities', () => {
    const crlf = caseOf('crlf-only');
    expect(judgeKafka(crlf, { deadLetters: [], events: [{ entities: [] }] }, limits).ok).toBe(true);
    expect(judgeKafka(crlf, { deadLetters: [], events: [{ entities: [{ text: '\r\n', type: 'PER' }] }] }, limits).ok).toBe(false);
    expect(judgeKafka(crlf, { deadLetters: [], events: [{ entities: [] }, { entities: [] }] }, limits).ok).toBe(false);
    const html = caseOf('html-injection');
    expect(judgeKafka(html, { deadLetters: [], events: [{ entities: [{ text: '李鹏', type: 'PER' }, { text: '北京', type: 'LOC' }] }] }, limits).ok).toBe(true);
    expect(judgeKafka(html, { deadLetters: [], events: [{ entities: [{ text: 'onerror=', type: 'PER' }] }] }, limits).ok).toBe(false);
  });

  it('an HTTP case checks status, code, entities, headers and leaks', () => {
    const json = (o: unknown) => JSON.stringify(o);
    expect(judgeHttp(http('ner-nul'), { status: 400, headers: {}, body: json({ error: { code: 'CONTROL_CHARACTER', message: 'm' } }) }).ok).toBe(true);
    expect(judgeHttp(http('ner-nul'), { status: 200, headers: {}, body: json({ entities: [] }) }).ok).toBe(false);
    expect(judgeHttp(http('ner-crlf'), { status: 200, headers: {}, body: json({ entities: [{ text: '\r\n', type: 'PER' }] }) }).ok).toBe(false);
    expect(judgeHttp(http('ner-blanks-emoji'), { status: 200, headers: {}, body: json({ results: [{ entities: [] }, { entities: [] }] }) }).ok).toBe(true);
    expect(judgeHttp(http('reloader-path'), { status: 400, headers: {}, body: json({ error: { code: 'PATH_REFUSED', message: 'no such directory /etc' } }) })).toMatchObject({ ok: false, observed: expect.stringContaining('leaks "/etc"') });
    expect(judgeHttp(http('tagger-security-headers'), { status: 200, headers: { 'x-content-type-options': 'nosniff' }, body: '{}' }).ok).toBe(false);
  });

  it('summarises: lost = valid documents never tagged, duplicates = tagged twice', () => {
    const outcomes = [
      { id: 'a', entry: 'kafka', title: 'A', expected: 'e', observed: 'o', ok: true },
      { id: 'b', entry: 'ner', title: 'B', expected: 'e', observed: 'o', ok: false },
    ];
    const s = summarise(outcomes, new Map([['v1', 1], ['v2', 0], ['v3', 2]]), ['tagger']);
    expect(s).toEqual({ cases: 2, handled: 1, mishandled: [{ id: 'b', expected: 'e', observed: 'o' }], crashes: 1, lost: 1, duplicates: 1 });
    expect(table(outcomes).split('\n')).toHaveLength(3);
  });
});
