// Hand-written Avro binary for the hostile-input suite: legal encodings our own encoder never
// produces (a map in two blocks, a block with a negative count and its byte size), and records of
// another schema with the same layout. Written from the Avro 1.11 specification ("Binary
// encoding": zig-zag varint longs; maps and arrays as blocks, a negative count followed by the
// block's size in bytes; a zero count ends them), so they do not depend on the library under test.
import { type RawText } from '@zhner/contracts';

/** A zig-zag varint long. */
export function avroLong(n: number): Buffer {
  if (!Number.isSafeInteger(n)) throw new RangeError(`avroLong: ${n} is not a safe integer`);
  // zig-zag in BigInt: no 32-bit overflow for large values
  let z = n >= 0 ? BigInt(n) * 2n : BigInt(-n) * 2n - 1n;
  const out: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) b |= 0x80;
    out.push(b);
  } while (z > 0n);
  return Buffer.from(out);
}

export function avroString(s: string | Buffer): Buffer {
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([avroLong(bytes.length), bytes]);
}

export type MapLayout = 'one-block' | 'two-blocks' | 'negative-counts';

function mapBlock(entries: ReadonlyArray<readonly [string, string]>, negative: boolean): Buffer {
  const body = Buffer.concat(entries.flatMap(([k, v]) => [avroString(k), avroString(v)]));
  return negative ? Buffer.concat([avroLong(-entries.length), avroLong(body.length), body]) : Buffer.concat([avroLong(entries.length), body]);
}

/** A map<string> in the given block layout (two blocks: the entries split in halves). */
export function avroStringMap(map: Readonly<Record<string, string>>, layout: MapLayout): Buffer {
  const entries = Object.entries(map);
  if (entries.length === 0) return avroLong(0);
  const half = Math.max(1, Math.ceil(entries.length / 2));
  const blocks = layout === 'one-block' ? [entries] : [entries.slice(0, half), entries.slice(half)].filter((b) => b.length > 0);
  return Buffer.concat([...blocks.map((b) => mapBlock(b, layout === 'negative-counts')), avroLong(0)]);
}

/**
 * A RawText (id, text, source, publishedAt: [null, long], metadata: map<string>) in Avro binary.
 * `text` may be raw bytes, to write what no JavaScript string can hold (invalid UTF-8, encoded
 * surrogates).
 */
export function rawTextBytes(v: Omit<RawText, 'text'> & { text: string | Buffer }, layout: MapLayout = 'one-block'): Buffer {
  const published = v.publishedAt === null || v.publishedAt === undefined ? avroLong(0) : Buffer.concat([avroLong(1), avroLong(v.publishedAt)]);
  return Buffer.concat([avroString(v.id), avroString(v.text), avroString(v.source), published, avroStringMap(v.metadata, layout)]);
}

/**
 * Another producer's record with RawText's layout but other meanings: {title, body, author,
 * publishedAt, tags}. Decoded as RawText without a schema check, the title becomes the document
 * id and the body the text.
 */
export const LOOKALIKE_SCHEMA = {
  type: 'record',
  name: 'Article',
  namespace: 'other.producer',
  fields: [
    { name: 'title', type: 'string' },
    { name: 'body', type: 'string' },
    { name: 'author', type: 'string' },
    { name: 'publishedAt', type: ['null', 'long'], default: null },
    { name: 'tags', type: { type: 'map', values: 'string' }, default: {} },
  ],
} as const;
