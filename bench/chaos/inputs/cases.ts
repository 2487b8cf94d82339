// The hostile-input catalogue of `npm run chaos:inputs`: every case is data (what to send, where,
// and what a correct platform answers), so the list reads as the specification and the runner is
// one loop. Kafka cases are raw records (bytes + headers) for ner.raw-text.v1; HTTP cases are raw
// requests (bytes, headers) for the tagger's POST /ner, the studio API and the admin routes.
import { createHash } from 'node:crypto';
import { CODEC_HEADERS, createTopics } from '@zhner/contracts';
import { LOOKALIKE_SCHEMA, rawTextBytes } from './avro';
import avro from 'avsc';

export type Entry = 'kafka' | 'ner' | 'studio' | 'admin';

/** What a raw-text record must lead to. */
export type KafkaExpect =
  /** a dead letter with one of these error codes (and the original's size and hash when cut) */
  | { deadLetter: readonly string[]; truncated?: boolean }
  /** an entity event for `docId`; none of its entities may match `noEntity` (surface text) */
  | { tagged: true; noEntity?: RegExp };

export interface KafkaCase {
  entry: 'kafka';
  id: string;
  title: string;
  /** Record key (the document id for the tagged ones). */
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
  expect: KafkaExpect;
}

export type Service = 'tagger' | 'studio' | 'sampler' | 'orchestrator' | 'reloader';
/** Which credentials the request carries. */
export type Auth = 'none' | 'admin' | 'studio' | 'wrong' | 'admin-truncated' | 'admin-two-values' | 'admin-lowercase-scheme';

export interface HttpExpect {
  status: readonly number[];
  /** error.code of the body (4xx/5xx) */
  code?: readonly string[];
  /** a 200 POST /ner answer with no entity matching this (surface text); [\s\S] = no entity at all */
  noEntity?: RegExp;
  /** nothing in the body may match (paths, SQL) */
  bodyNot?: RegExp;
  /** headers that must be present, by lower-case name */
  headers?: readonly string[];
}

export interface HttpCase {
  entry: Exclude<Entry, 'kafka'>;
  id: string;
  title: string;
  service: Service;
  method: 'GET' | 'POST';
  path: string;
  auth: Auth;
  /** Sent as is when a Buffer or string; JSON-encoded otherwise. */
  body?: Buffer | string | object;
  contentType?: string;
  expect: HttpExpect;
}

const topics = createTopics();
const raw = (id: string, text: string | Buffer, metadata: Record<string, string> = { chaos: 'inputs' }) => rawTextBytes({ id, text, source: 'chaos', publishedAt: Date.now(), metadata });
const fingerprint = (schema: object) => avro.Type.forSchema(schema as avro.Schema).fingerprint('sha256').toString('hex');

/** The Kafka cases of run `run` (document ids are unique per run). */
export function kafkaCases(run: string): KafkaCase[] {
  const id = (c: string) => `chaos-${run}-${c}`;
  const valid = (c: string, text: string) => topics.rawText.codec.encode({ id: id(c), text, source: 'chaos', publishedAt: Date.now(), metadata: {} });
  const lookalike = avro.Type.forSchema(LOOKALIKE_SCHEMA as unknown as avro.Schema).toBuffer({ title: id('schema-mismatch'), body: '李鹏在北京', author: 'x', publishedAt: null, tags: {} });
  const cases: Array<Omit<KafkaCase, 'entry' | 'key'> & { key?: string }> = [
    // 1,048,360 bytes: fits the broker's default 1 MiB limit, its dead-letter copy would not
    { id: 'oversized-1mb', title: 'a 1,048,360-byte record (over the tagger limit, under the broker limit)', value: raw(id('oversized-1mb'), '北'.repeat(349_420)), expect: { deadLetter: ['PAYLOAD_TOO_LARGE'], truncated: true } },
    { id: 'text-too-long', title: 'a 100,001-character text (limit 100,000)', value: raw(id('text-too-long'), 'a'.repeat(100_001)), expect: { deadLetter: ['TEXT_TOO_LONG'] } },
    { id: 'invalid-utf8', title: 'text bytes that are not UTF-8 (0xFF 0xFE)', value: raw(id('invalid-utf8'), Buffer.from([0xe6, 0x9d, 0x8e, 0xff, 0xfe])), expect: { deadLetter: ['INVALID_UTF8'] } },
    { id: 'overlong-utf8', title: 'an over-long UTF-8 encoding (0xC0 0xAF)', value: raw(id('overlong-utf8'), Buffer.from([0x61, 0xc0, 0xaf])), expect: { deadLetter: ['INVALID_UTF8'] } },
    { id: 'cesu8-surrogate', title: 'a surrogate encoded in UTF-8 (CESU-8: ED A0 80)', value: raw(id('cesu8-surrogate'), Buffer.from([0xe6, 0x9d, 0x8e, 0xed, 0xa0, 0x80])), expect: { deadLetter: ['INVALID_UNICODE'] } },
    { id: 'nul', title: 'a NUL character in the text', value: raw(id('nul'), '李鹏\u0000在北京'), expect: { deadLetter: ['CONTROL_CHARACTER'] } },
    { id: 'c0-escape', title: 'an ESC (C0 control) in the text', value: raw(id('c0-escape'), '\u001b[31m李鹏'), expect: { deadLetter: ['CONTROL_CHARACTER'] } },
    { id: 'nul-in-id', title: 'a NUL in the document id (a PostgreSQL key downstream)', key: id('nul-in-id'), value: raw(`${id('nul-in-id')}\u0000x`, '李鹏在北京'), expect: { deadLetter: ['CONTROL_CHARACTER'] } },
    { id: 'nul-in-metadata', title: 'NUL in a metadata value (free data, the text is clean): tagged', value: raw(id('nul-in-metadata'), '李鹏在北京', { url: 'a\u0000b' }), expect: { tagged: true } },
    { id: 'empty-text', title: 'an empty text', value: raw(id('empty-text'), ''), expect: { deadLetter: ['EMPTY_TEXT'] } },
    { id: 'id-too-long', title: 'a 600-character document id (limit 512)', key: id('id-too-long'), value: raw(`${id('id-too-long')}-${'x'.repeat(600)}`, '李鹏在北京'), expect: { deadLetter: ['VALIDATION_FAILED'] } },
    { id: 'not-avro-json', title: 'JSON instead of Avro', value: Buffer.from(JSON.stringify({ id: id('not-avro-json'), text: '李鹏' })), expect: { deadLetter: ['DECODE_FAILED', 'INVALID_UTF8'] } },
    { id: 'empty-payload', title: 'a zero-byte value', value: Buffer.alloc(0), expect: { deadLetter: ['DECODE_FAILED'] } },
    { id: 'truncated-avro', title: 'a record cut in the middle of its text', value: valid('truncated-avro', '李鹏在北京会见了客人').subarray(0, 20), expect: { deadLetter: ['DECODE_FAILED'] } },
    { id: 'trailing-bytes', title: 'a valid record followed by garbage bytes', value: Buffer.concat([valid('trailing-bytes', '李鹏在北京'), Buffer.from([1, 2, 3])]), expect: { deadLetter: ['DECODE_FAILED'] } },
    { id: 'huge-length-prefix', title: 'a string length prefix of 2^40 bytes', value: Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), Buffer.from('x')]), expect: { deadLetter: ['DECODE_FAILED'] } },
    { id: 'schema-mismatch', title: 'another schema with the same layout (schema-fingerprint header says so)', value: lookalike, headers: { [CODEC_HEADERS.fingerprint]: fingerprint(LOOKALIKE_SCHEMA) }, expect: { deadLetter: ['SCHEMA_MISMATCH'] } },
    { id: 'content-type-mismatch', title: 'content-type naming another schema', value: valid('content-type-mismatch', '李鹏在北京'), headers: { [CODEC_HEADERS.contentType]: 'application/avro; schema=other.producer.Article' }, expect: { deadLetter: ['SCHEMA_MISMATCH'] } },
    // legal Avro our encoder never writes: must be TAGGED, not dead-lettered
    { id: 'map-two-blocks', title: 'metadata map in two blocks (legal Avro)', value: rawTextBytes({ id: id('map-two-blocks'), text: '新华社北京电，李鹏会见了客人。', source: 'chaos', publishedAt: null, metadata: { a: '1', b: '2', c: '3' } }, 'two-blocks'), expect: { tagged: true } },
    { id: 'map-negative-count', title: 'metadata map with a negative block count and byte size (legal Avro)', value: rawTextBytes({ id: id('map-negative-count'), text: '新华社北京电，李鹏会见了客人。', source: 'chaos', publishedAt: null, metadata: { a: '1', b: '2' } }, 'negative-counts'), expect: { tagged: true } },
    { id: 'right-fingerprint', title: 'a record with the right schema-fingerprint header', value: valid('right-fingerprint', '李鹏在北京'), headers: topics.rawText.codec.headers, expect: { tagged: true } },
    // texts that are legal but must not produce entities
    { id: 'crlf-only', title: 'a text that is only "\\r\\n"', value: valid('crlf-only', '\r\n'), expect: { tagged: true, noEntity: /[\s\S]/ } },
    { id: 'blanks-emoji', title: 'blanks, ideographic spaces and emoji only', value: valid('blanks-emoji', '   \u3000\u3000😀😀🇨🇳 \t👍'), expect: { tagged: true, noEntity: /[\s\S]/ } },
    { id: 'html-injection', title: 'HTML with an onerror= handler', value: valid('html-injection', '<img src=x onerror=alert(1)>李鹏在北京'), expect: { tagged: true, noEntity: /[<>="()]|onerror/ } },
    { id: 'zero-width', title: 'zero-width joiners and BOM around a name', value: valid('zero-width', '\ufeff李\u200d鹏\u200b在北京'), expect: { tagged: true, noEntity: /^[\u200b-\u200d\ufeff]|[\u200b-\u200d\ufeff]$/ } },
  ];
  return cases.map((c) => ({ entry: 'kafka', key: c.key ?? id(c.id), ...c }));
}

/** A valid document interleaved after each case (must be tagged once). */
export function validDoc(run: string, n: number): { key: string; value: Buffer } {
  const key = `chaos-${run}-valid-${n}`;
  return { key, value: topics.rawText.codec.encode({ id: key, text: `第${n}条：国务院总理李鹏在北京会见了日本客人。`, source: 'chaos', publishedAt: Date.now(), metadata: { chaos: 'valid' } }) };
}

const invalidUtf8Json = Buffer.concat([Buffer.from('{"text":"李'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
const cesu8Json = Buffer.concat([Buffer.from('{"text":"李'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);

/** The HTTP cases (tagger POST /ner, studio API, admin routes). */
export function httpCases(): HttpCase[] {
  const ner = (id: string, title: string, body: HttpCase['body'], expect: HttpExpect, contentType?: string): HttpCase => ({ entry: 'ner', id, title, service: 'tagger', method: 'POST', path: '/ner', auth: 'none', body, contentType, expect });
  const bad = (...code: string[]): HttpExpect => ({ status: [400], code });
  const pathLeak = /\/etc|\/home|\/srv|\/work|\/root|node_modules|\.ts:\d|SELECT |INSERT /;
  return [
    ner('ner-invalid-utf8', 'POST /ner with invalid UTF-8 in the body (not replaced by U+FFFD)', invalidUtf8Json, bad('INVALID_UTF8')),
    ner('ner-cesu8', 'POST /ner with a UTF-8-encoded surrogate', cesu8Json, bad('INVALID_UTF8', 'INVALID_UNICODE')),
    ner('ner-lone-surrogate', 'POST /ner with "\\ud800" (JSON escape)', '{"text":"李\\ud800鹏"}', bad('INVALID_UNICODE')),
    ner('ner-nul', 'POST /ner with a NUL', { text: '李鹏\u0000在北京' }, bad('CONTROL_CHARACTER')),
    ner('ner-c0', 'POST /ner with a C0 control (BEL)', { texts: ['好', '李鹏\u0007在北京'] }, bad('CONTROL_CHARACTER')),
    ner('ner-empty', 'POST /ner with an empty text', { text: '' }, bad('EMPTY_TEXT')),
    ner('ner-too-long', 'POST /ner with a 10,001-character text (limit 10,000)', { text: '北'.repeat(10_001) }, bad('TEXT_TOO_LONG')),
    ner('ner-too-many', 'POST /ner with 65 texts (limit 64)', { texts: Array.from({ length: 65 }, () => '北京') }, bad('TOO_MANY_TEXTS')),
    ner('ner-not-string', 'POST /ner with a number as text', { texts: ['北京', 5] }, bad('VALIDATION_FAILED', 'NOT_A_STRING')),
    ner('ner-both', 'POST /ner with text and texts', { text: 'a', texts: ['b'] }, bad('TEXTS_REQUIRED', 'VALIDATION_FAILED')),
    ner('ner-proto', 'POST /ner with a __proto__ key', '{"__proto__":{"polluted":true},"text":"北京"}', bad('FORBIDDEN_JSON_KEY')),
    ner('ner-constructor-prototype', 'POST /ner with constructor.prototype', '{"constructor":{"prototype":{"polluted":true}},"text":"北京"}', bad('FORBIDDEN_JSON_KEY')),
    ner('ner-not-json', 'POST /ner with a body that is not JSON', '{"text": 李鹏', bad('INVALID_JSON')),
    ner('ner-deep-json', 'POST /ner with 10,000 nested arrays', `{"texts":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, { status: [400] }),
    ner('ner-content-type', 'POST /ner as text/plain', '李鹏在北京', { status: [415] }, 'text/plain'),
    ner('ner-body-too-large', 'POST /ner with a 5 MB body', { text: 'a'.repeat(5 * 1024 * 1024) }, { status: [413] }),
    ner('ner-crlf', 'POST /ner "\\r\\n" (no entity)', { text: '\r\n' }, { status: [200], noEntity: /[\s\S]/ }),
    ner('ner-blanks-emoji', 'POST /ner blanks and emoji (no entity)', { texts: ['   ', '\u3000\u3000', '😀😀😀', '👍🏻🇨🇳'] }, { status: [200], noEntity: /[\s\S]/ }),
    ner('ner-html', 'POST /ner HTML with onerror= (no entity of markup)', { text: '<img src=x onerror=alert(1)>' }, { status: [200], noEntity: /[<>="()]|onerror/ }),

    // studio: reads of texts and people need a token; writes need one; the same text policy
    { entry: 'studio', id: 'studio-queue-anonymous', title: 'GET /api/queue without a token (document texts)', service: 'studio', method: 'GET', path: '/api/queue', auth: 'none', expect: { status: [401] } },
    { entry: 'studio', id: 'studio-annotators-anonymous', title: 'GET /api/annotators without a token (people)', service: 'studio', method: 'GET', path: '/api/annotators', auth: 'none', expect: { status: [401] } },
    { entry: 'studio', id: 'studio-item-anonymous', title: 'GET /api/queue/:id without a token', service: 'studio', method: 'GET', path: '/api/queue/any', auth: 'none', expect: { status: [401] } },
    { entry: 'studio', id: 'studio-correction-anonymous', title: 'POST /api/corrections without a token', service: 'studio', method: 'POST', path: '/api/corrections', auth: 'none', body: { candidateId: 'x', entities: [] }, expect: { status: [401] } },
    { entry: 'studio', id: 'studio-wrong-token', title: 'POST /api/corrections with a wrong token', service: 'studio', method: 'POST', path: '/api/corrections', auth: 'wrong', body: { candidateId: 'x', entities: [] }, expect: { status: [401] } },
    { entry: 'studio', id: 'studio-ner-nul', title: 'POST /api/ner with a NUL (same code as the tagger)', service: 'studio', method: 'POST', path: '/api/ner', auth: 'studio', body: { text: '李鹏\u0000在北京' }, expect: { status: [400], code: ['CONTROL_CHARACTER'] } },
    { entry: 'studio', id: 'studio-ner-lone-surrogate', title: 'POST /api/ner with a lone surrogate', service: 'studio', method: 'POST', path: '/api/ner', auth: 'studio', body: '{"text":"\\udc00北京"}', expect: { status: [400], code: ['INVALID_UNICODE'] } },
    { entry: 'studio', id: 'studio-ner-invalid-utf8', title: 'POST /api/ner with invalid UTF-8', service: 'studio', method: 'POST', path: '/api/ner', auth: 'studio', body: invalidUtf8Json, expect: { status: [400], code: ['INVALID_UTF8'] } },
    { entry: 'studio', id: 'studio-proto', title: 'POST /api/corrections with __proto__', service: 'studio', method: 'POST', path: '/api/corrections', auth: 'studio', body: '{"candidateId":"x","__proto__":{"admin":true}}', expect: { status: [400], code: ['FORBIDDEN_JSON_KEY'] } },
    { entry: 'studio', id: 'studio-bad-limit', title: 'GET /api/queue?limit=abc', service: 'studio', method: 'GET', path: '/api/queue?limit=abc', auth: 'studio', expect: { status: [400] } },

    // admin routes: closed without the token, one check everywhere, registry versions only
    ...(['orchestrator', 'reloader', 'tagger'] as const).flatMap((service): HttpCase[] => {
      const path = service === 'orchestrator' ? '/runs' : service === 'reloader' ? '/rollouts' : '/admin/model';
      const body = service === 'orchestrator' ? {} : { modelVersion: 'zh-ner-none' };
      const refused = (['none', 'wrong', 'admin-truncated', 'admin-two-values'] as const).map(
        (auth): HttpCase => ({
          entry: 'admin',
          id: `${service}-admin-${auth}`,
          title: `POST ${service} ${path} with ${auth === 'none' ? 'no token' : auth === 'wrong' ? 'a wrong token' : auth === 'admin-truncated' ? 'the token minus its last character' : 'the token twice'}`,
          service,
          method: 'POST',
          path,
          auth,
          body,
          expect: { status: [401] },
        }),
      );
      // the scheme is case-insensitive (RFC 7235) at every service alike: the request gets past
      // the check and meets the route's own answer (no such version; never a training run)
      const scheme: HttpCase[] =
        service === 'orchestrator'
          ? []
          : [{ entry: 'admin', id: `${service}-admin-lowercase-scheme`, title: `POST ${service} ${path} with "bearer <token>" (accepted as at every service)`, service, method: 'POST', path, auth: 'admin-lowercase-scheme', body, expect: { status: [404], code: ['UNKNOWN_MODEL_VERSION'] } }];
      return [...refused, ...scheme];
    }),
    { entry: 'admin', id: 'reloader-path', title: 'POST /rollouts {"modelUri":"../../../../etc"} (with the token)', service: 'reloader', method: 'POST', path: '/rollouts', auth: 'admin', body: { modelUri: '../../../../etc' }, expect: { status: [400], code: ['PATH_REFUSED'], bodyNot: pathLeak } },
    { entry: 'admin', id: 'reloader-path-as-version', title: 'POST /rollouts {"modelVersion":"../../etc"}', service: 'reloader', method: 'POST', path: '/rollouts', auth: 'admin', body: { modelVersion: '../../../../etc' }, expect: { status: [400, 404], code: ['UNKNOWN_MODEL_VERSION', 'VALIDATION_FAILED', 'PATH_REFUSED'], bodyNot: pathLeak } },
    { entry: 'admin', id: 'tagger-path', title: 'POST tagger /admin/model {"modelUri":"/etc"}', service: 'tagger', method: 'POST', path: '/admin/model', auth: 'admin', body: { modelUri: '/etc' }, expect: { status: [400], code: ['PATH_REFUSED'], bodyNot: pathLeak } },
    { entry: 'admin', id: 'tagger-file-url', title: 'POST tagger /admin/model {"modelUri":"file:///etc/passwd"}', service: 'tagger', method: 'POST', path: '/admin/model', auth: 'admin', body: { modelUri: 'file:///etc/passwd' }, expect: { status: [400], code: ['PATH_REFUSED'], bodyNot: pathLeak } },
    { entry: 'admin', id: 'tagger-path-as-version', title: 'POST tagger /admin/model {"modelVersion":"/etc/passwd"}', service: 'tagger', method: 'POST', path: '/admin/model', auth: 'admin', body: { modelVersion: '/etc/passwd' }, expect: { status: [400, 404], code: ['UNKNOWN_MODEL_VERSION', 'VALIDATION_FAILED', 'PATH_REFUSED'], bodyNot: pathLeak } },
    { entry: 'admin', id: 'orchestrator-bad-run', title: 'POST /runs with a malformed body (with the token)', service: 'orchestrator', method: 'POST', path: '/runs', auth: 'admin', body: { trigger: 5, modelDir: '/etc' }, expect: { status: [400], bodyNot: pathLeak } },
    { entry: 'admin', id: 'reloader-rollouts-limit', title: 'GET /rollouts?limit=5', service: 'reloader', method: 'GET', path: '/rollouts?limit=5', auth: 'none', expect: { status: [200] } },
    ...(['studio', 'tagger', 'sampler', 'orchestrator', 'reloader'] as const).map(
      (service): HttpCase => ({ entry: 'admin', id: `${service}-security-headers`, title: `${service}: security headers on /healthz`, service, method: 'GET', path: '/healthz', auth: 'none', expect: { status: [200], headers: ['x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control'] } }),
    ),
  ];
}

/** sha256 hex (dead-letter checks). */
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
