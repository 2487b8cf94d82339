import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { DecodeError, PlatformError, ValidationError, decodeUtf8Strict, isTextViolation, textPolicyViolation } from '@zhner/core';
import type {
  Correction,
  DeadLetter,
  EntityEvent,
  ModelEvent,
  Prediction,
  RawText,
  ReplicaCommand,
  ReplicaHeartbeat,
  ReviewCandidate,
} from './types';

export const SCHEMA_DIR = path.join(__dirname, '..', 'schemas');

/** Schema names in dependency order (EntityEvent defines zhner.v1.Entity used by later ones). */
export const SCHEMA_NAMES = [
  'RawText',
  'EntityEvent',
  'Prediction',
  'ReviewCandidate',
  'Correction',
  'ModelEvent',
  'ReplicaCommand',
  'ReplicaHeartbeat',
  'DeadLetter',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

export interface SchemaTypes {
  RawText: RawText;
  EntityEvent: EntityEvent;
  Prediction: Prediction;
  ReviewCandidate: ReviewCandidate;
  Correction: Correction;
  ModelEvent: ModelEvent;
  ReplicaCommand: ReplicaCommand;
  ReplicaHeartbeat: ReplicaHeartbeat;
  DeadLetter: DeadLetter;
}

let parsed: { types: Map<SchemaName, avro.Type>; json: Map<SchemaName, Json>; named: Map<string, Json> } | undefined;

function avroTypes(): NonNullable<typeof parsed> {
  if (parsed) return parsed;
  const registry: Record<string, avro.Type> = {};
  const types = new Map<SchemaName, avro.Type>();
  const json = new Map<SchemaName, Json>();
  const named = new Map<string, Json>();
  for (const name of SCHEMA_NAMES) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${name}.avsc`), 'utf8')) as Json;
    json.set(name, schema);
    collectNamed(schema, undefined, named);
    types.set(name, avro.Type.forSchema(schema as avro.Schema, { registry }));
  }
  parsed = { types, json, named };
  return parsed;
}

/** The parsed Avro type of a schema (for tools and tests). */
export function avroType(name: SchemaName): avro.Type {
  const t = avroTypes().types.get(name);
  if (!t) throw new Error(`unknown schema ${name}`);
  return t;
}

/** Wire framing: plain Avro binary, or Confluent's (magic byte 0 + 4-byte big-endian schema id). */
export type WireFormat = { kind: 'avro' } | { kind: 'confluent'; schemaId: number };

export interface CodecOptions {
  wireFormat?: WireFormat;
  /**
   * Decode every string strictly as UTF-8 and apply the text policy (`textPolicyViolation` in
   * @zhner/core) to the schema's text fields (TEXT_FIELDS). Default true. With false, avsc's own
   * lenient decoding is used (invalid bytes become U+FFFD).
   */
  strictUtf8?: boolean;
}

export const CONFLUENT_MAGIC = 0;

/** Header names every record carries (see Codec.headers). */
export const CODEC_HEADERS = { contentType: 'content-type', fingerprint: 'schema-fingerprint' } as const;

/**
 * The fields of each schema that hold texts for the model (the whole text policy applies: no
 * control characters besides \t \n \r). Every other string only has to be valid UTF-8.
 */
export const TEXT_FIELDS: Partial<Record<SchemaName, readonly string[]>> = {
  RawText: ['text'],
  Prediction: ['text'],
  ReviewCandidate: ['text'],
  Correction: ['text'],
};

/**
 * Encodes/decodes one record type. Decoding never returns a partially valid value: it throws
 * DecodeError (not Avro for this schema), ValidationError with a text-policy code (INVALID_UTF8,
 * INVALID_UNICODE, CONTROL_CHARACTER) or PlatformError SCHEMA_MISMATCH (the record's headers name
 * another schema).
 */
export class Codec<N extends SchemaName> {
  readonly schema: N;
  readonly fullName: string;
  readonly fingerprint: string;
  private readonly type: avro.Type;
  private readonly wire: WireFormat;
  private readonly strict: StrictDecoder | undefined;

  constructor(schema: N, opts: CodecOptions = {}) {
    this.schema = schema;
    this.type = avroType(schema);
    this.fullName = (this.type as avro.Type & { name?: string }).name ?? schema;
    this.fingerprint = this.type.fingerprint('sha256').toString('hex');
    this.wire = opts.wireFormat ?? { kind: 'avro' };
    this.strict = (opts.strictUtf8 ?? true) ? strictDecoder(schema) : undefined;
  }

  /** Headers that describe the payload (content type and schema fingerprint). */
  get headers(): Record<string, string> {
    return { [CODEC_HEADERS.contentType]: `application/avro; schema=${this.fullName}`, [CODEC_HEADERS.fingerprint]: this.fingerprint };
  }

  encode(value: SchemaTypes[N]): Buffer {
    let body: Buffer;
    try {
      body = this.type.toBuffer(value);
    } catch (err) {
      // An invalid value is a programming or validation error on our side, not a poison message.
      const paths: string[] = [];
      this.type.isValid(value, { errorHook: (p: string[]) => paths.push(p.join('.') || '(root)') });
      throw new ValidationError(`cannot encode ${this.fullName}: invalid field ${paths.join(', ') || '(unknown)'}`, { field: paths[0], cause: err });
    }
    if (this.wire.kind === 'avro') return body;
    const head = Buffer.alloc(5);
    head.writeUInt8(CONFLUENT_MAGIC, 0);
    head.writeUInt32BE(this.wire.schemaId, 1);
    return Buffer.concat([head, body]);
  }

  /**
   * Checks the record's headers, when it has them: a `schema-fingerprint` or a `content-type`
   * naming another schema means the bytes were written with another schema. Avro binary carries no
   * schema of its own, so such a record could decode "successfully" into the wrong fields (a
   * reordered record put the text where the document id belongs): refuse it instead.
   */
  checkHeaders(headers: Readonly<Record<string, string>> | undefined): void {
    if (!headers) return;
    const fp = headers[CODEC_HEADERS.fingerprint];
    if (fp !== undefined && fp !== this.fingerprint) {
      throw new PlatformError('SCHEMA_MISMATCH', `record written with schema fingerprint ${fp.slice(0, 16)}…, expected ${this.fullName} (${this.fingerprint.slice(0, 16)}…)`, {
        context: { schema: this.fullName, fingerprint: fp },
      });
    }
    const ct = headers[CODEC_HEADERS.contentType];
    const named = ct ? /schema=([\w.]+)/.exec(ct)?.[1] : undefined;
    if (named !== undefined && named !== this.fullName) {
      throw new PlatformError('SCHEMA_MISMATCH', `record has content-type ${JSON.stringify(ct)}, expected schema ${this.fullName}`, { context: { schema: this.fullName, contentType: ct } });
    }
  }

  /**
   * Decodes one payload; `headers` (when given) are checked first (checkHeaders). Avro's own
   * encoding rules apply as the standard defines them (avsc): blocks of maps and arrays may come
   * in several blocks and with negative counts (followed by their byte size).
   */
  decode(buf: Buffer | null | undefined, headers?: Readonly<Record<string, string>>): SchemaTypes[N] {
    this.checkHeaders(headers);
    if (!buf || buf.length === 0) throw new DecodeError(`empty payload for ${this.fullName}`, { schema: this.fullName });
    let body = buf;
    if (this.wire.kind === 'confluent') {
      if (buf.length < 5 || buf.readUInt8(0) !== CONFLUENT_MAGIC) {
        throw new DecodeError(`payload for ${this.fullName} lacks the Confluent magic byte`, { schema: this.fullName });
      }
      const id = buf.readUInt32BE(1);
      if (id !== this.wire.schemaId) {
        throw new DecodeError(`payload for ${this.fullName} has schema id ${id}, expected ${this.wire.schemaId}`, { schema: this.fullName, context: { schemaId: id } });
      }
      body = buf.subarray(5);
    }
    const type = this.strict?.twin ?? this.type;
    let raw: unknown;
    try {
      const { value: v, offset } = type.decode(body, 0) as { value: unknown; offset: number };
      if (offset < 0) throw new Error('truncated payload');
      if (offset !== body.length) throw new Error(`${body.length - offset} trailing bytes`);
      raw = v;
    } catch (err) {
      throw new DecodeError(`undecodable ${this.fullName} payload: ${err instanceof Error ? err.message : String(err)}`, { schema: this.fullName, cause: err });
    }
    if (!this.strict) return plain(raw) as SchemaTypes[N];
    return this.strict.convert(raw, '') as SchemaTypes[N];
  }
}

// avsc decodes records into instances of generated classes; downstream code wants plain objects.
function plain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(plain) as T;
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = plain(x);
    return out as T;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Strict decoding. avsc turns string bytes into JavaScript strings leniently (invalid UTF-8
// becomes U+FFFD). To see the bytes, each schema gets a "twin" with the same wire layout in which
// every string is `bytes` (both are a length-prefixed byte sequence) and every map<V> is an
// array of {k: bytes, v: V} records (map and array blocks are encoded alike: a count, negative
// when followed by the block's byte size, then the items). The twin is decoded by avsc, then a
// converter built from the real schema turns the bytes back into strings with decodeUtf8Strict
// and applies the text policy to the text fields.

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Convert = (v: unknown, where: string) => unknown;

interface StrictDecoder {
  twin: avro.Type;
  convert: (v: unknown, where: string) => unknown;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

function fullNameOf(name: string, ns: string | undefined): string {
  return name.includes('.') || !ns ? name : `${ns}.${name}`;
}

function collectNamed(s: Json, ns: string | undefined, out: Map<string, Json>): void {
  if (Array.isArray(s)) return s.forEach((b) => collectNamed(b, ns, out));
  if (typeof s !== 'object' || s === null) return;
  if (s.type === 'record' || s.type === 'enum' || s.type === 'fixed') {
    const space = s.namespace ?? ns;
    out.set(fullNameOf(s.name, space), { ...s, namespace: space });
    if (s.type === 'record') for (const f of s.fields) collectNamed(f.type, space, out);
  } else if (s.type === 'array') collectNamed(s.items, ns, out);
  else if (s.type === 'map') collectNamed(s.values, ns, out);
}

const strictCache = new Map<SchemaName, StrictDecoder>();

function strictDecoder(schema: SchemaName): StrictDecoder {
  const cached = strictCache.get(schema);
  if (cached) return cached;
  const { json, named } = avroTypes();
  const textFields = new Set(TEXT_FIELDS[schema] ?? []);
  const defined = new Set<string>();
  let entries = 0;

  const text = (b: unknown, where: string, isText: boolean): string => {
    const s = decodeUtf8Strict(b as Buffer);
    if (isTextViolation(s)) throw new ValidationError(`${where} ${s.message}`, { code: s.code, field: where, context: { at: s.at } });
    if (isText) {
      const v = textPolicyViolation(s);
      if (v) throw new ValidationError(`${where} ${v.message}`, { code: v.code, field: where, context: { at: v.at } });
    }
    return s;
  };

  // returns [twin schema JSON, converter] for schema `s` in namespace `ns`
  const build = (s: Json, ns: string | undefined, isTextField: boolean): [Json, Convert] => {
    if (typeof s === 'string') {
      if (s === 'string') return ['bytes', (v, w) => text(v, w, isTextField)];
      if (PRIMITIVES.has(s)) return [s, (v) => v];
      const def = named.get(fullNameOf(s, ns)) ?? named.get(s);
      if (!def) throw new Error(`schema ${schema}: unknown type ${s}`);
      return build(def, def.namespace, isTextField);
    }
    if (Array.isArray(s)) {
      const branches = s.map((b) => build(b, ns, isTextField));
      const nonNull = s.map((b, i) => (b === 'null' ? -1 : i)).filter((i) => i >= 0);
      if (nonNull.length !== 1 || s.length > 2) throw new Error(`schema ${schema}: only unions of null and one type are supported, got ${JSON.stringify(s)}`);
      const conv = branches[nonNull[0]][1];
      return [branches.map((b) => b[0]), (v, w) => (v === null || v === undefined ? null : conv(v, w))];
    }
    switch (s.type) {
      case 'record': {
        const full = fullNameOf(s.name, s.namespace ?? ns);
        const space = s.namespace ?? ns;
        const fields = (s.fields as Json[]).map((f) => {
          const isTop = full === `zhner.v1.${schema}`;
          return { name: f.name as string, built: build(f.type, space, isTop && textFields.has(f.name)) };
        });
        const twin = defined.has(full) ? full : { type: 'record', name: full, fields: fields.map((f) => ({ name: f.name, type: f.built[0] })) };
        defined.add(full);
        return [
          twin,
          (v, w) => {
            const src = v as Record<string, unknown>;
            const out: Record<string, unknown> = {};
            for (const f of fields) out[f.name] = f.built[1](src[f.name], w ? `${w}.${f.name}` : f.name);
            return out;
          },
        ];
      }
      case 'enum':
      case 'fixed': {
        const full = fullNameOf(s.name, s.namespace ?? ns);
        const twin = defined.has(full) ? full : { ...s, name: full, namespace: undefined };
        defined.add(full);
        return [twin, (v) => v];
      }
      case 'array': {
        const [items, conv] = build(s.items, ns, false);
        return [{ type: 'array', items }, (v, w) => (v as unknown[]).map((x, i) => conv(x, `${w}[${i}]`))];
      }
      case 'map': {
        const [values, conv] = build(s.values, ns, false);
        const entry = { type: 'record', name: `zhner.twin.MapEntry${entries++}`, fields: [{ name: 'k', type: 'bytes' }, { name: 'v', type: values }] };
        return [
          { type: 'array', items: entry },
          (v, w) => {
            const out: Record<string, unknown> = {};
            for (const e of v as Array<{ k: Buffer; v: unknown }>) {
              const key = text(e.k, `${w} key`, false);
              out[key] = conv(e.v, `${w}[${JSON.stringify(key)}]`);
            }
            return out;
          },
        ];
      }
      default:
        if (PRIMITIVES.has(s.type)) return build(s.type, ns, isTextField);
        throw new Error(`schema ${schema}: unsupported type ${JSON.stringify(s)}`);
    }
  };

  const [twinJson, convert] = build(json.get(schema), undefined, false);
  const out: StrictDecoder = { twin: avro.Type.forSchema(twinJson as avro.Schema, { registry: {} }), convert: (v, where) => convert(v, where) };
  strictCache.set(schema, out);
  return out;
}
