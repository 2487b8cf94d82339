import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { DecodeError, ValidationError } from '@zhner/core';
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

let parsed: Map<SchemaName, avro.Type> | undefined;

function avroTypes(): Map<SchemaName, avro.Type> {
  if (parsed) return parsed;
  const registry: Record<string, avro.Type> = {};
  const out = new Map<SchemaName, avro.Type>();
  for (const name of SCHEMA_NAMES) {
    const json = JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${name}.avsc`), 'utf8')) as avro.Schema;
    out.set(name, avro.Type.forSchema(json, { registry }));
  }
  parsed = out;
  return out;
}

/** The parsed Avro type of a schema (for tools and tests). */
export function avroType(name: SchemaName): avro.Type {
  const t = avroTypes().get(name);
  if (!t) throw new Error(`unknown schema ${name}`);
  return t;
}

/** Wire framing: plain Avro binary, or Confluent's (magic byte 0 + 4-byte big-endian schema id). */
export type WireFormat = { kind: 'avro' } | { kind: 'confluent'; schemaId: number };

export interface CodecOptions {
  wireFormat?: WireFormat;
  /**
   * Reject payloads whose strings are not valid UTF-8 (e.g. CESU-encoded lone surrogates written
   * by a Java/Python producer). Checked by re-encoding: invalid bytes decode to U+FFFD and re-encode
   * differently. Default true.
   */
  strictUtf8?: boolean;
}

export const CONFLUENT_MAGIC = 0;

/** Encodes/decodes one record type. Decoding never returns a partially valid value: it throws DecodeError. */
export class Codec<N extends SchemaName> {
  readonly schema: N;
  readonly fullName: string;
  readonly fingerprint: string;
  private readonly type: avro.Type;
  private readonly wire: WireFormat;
  private readonly strictUtf8: boolean;

  constructor(schema: N, opts: CodecOptions = {}) {
    this.schema = schema;
    this.type = avroType(schema);
    this.fullName = (this.type as avro.Type & { name?: string }).name ?? schema;
    this.fingerprint = this.type.fingerprint('sha256').toString('hex');
    this.wire = opts.wireFormat ?? { kind: 'avro' };
    this.strictUtf8 = opts.strictUtf8 ?? true;
  }

  /** Headers that describe the payload (content type and schema fingerprint). */
  get headers(): Record<string, string> {
    return { 'content-type': `application/avro; schema=${this.fullName}`, 'schema-fingerprint': this.fingerprint };
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

  decode(buf: Buffer | null | undefined): SchemaTypes[N] {
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
    let value: SchemaTypes[N];
    try {
      const { value: v, offset } = this.type.decode(body, 0) as { value: SchemaTypes[N]; offset: number };
      if (offset < 0) throw new Error('truncated payload');
      if (offset !== body.length) throw new Error(`${body.length - offset} trailing bytes`);
      value = v;
    } catch (err) {
      throw new DecodeError(`undecodable ${this.fullName} payload: ${err instanceof Error ? err.message : String(err)}`, { schema: this.fullName, cause: err });
    }
    if (this.strictUtf8 && !this.type.toBuffer(value).equals(body)) {
      throw new DecodeError(`${this.fullName} payload holds invalid UTF-8 (e.g. an unpaired surrogate)`, { schema: this.fullName, context: { reason: 'invalid_utf8' } });
    }
    return plain(value);
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
