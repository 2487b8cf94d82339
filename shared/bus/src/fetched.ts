// What a consumer may hand on from one partition of a Fetch response (pure; unit-tested). Record
// batches are read from `from` on; under read_committed the records of aborted transactions are
// skipped the way the Java client does it: the broker lists the aborted transactions overlapping
// the response (producer id, first offset); a producer's transactional records are aborted from
// that offset until its next control marker. Control batches (commit/abort markers) are never
// records. The next position is past the last batch seen, skipped ones included.

export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface FetchedRecord {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<[Buffer | null, Buffer | null]>;
}

export interface FetchedBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  attributes: number;
  producerId: bigint;
  records: FetchedRecord[];
}

export interface FetchedPartition {
  abortedTransactions: ReadonlyArray<{ producerId: bigint; firstOffset: bigint }>;
  records?: readonly FetchedBatch[];
}

export interface ReadableRecord {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: number;
}

function headersOf(pairs: Array<[Buffer | null, Buffer | null]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) if (k) out[k.toString('utf8')] = v ? v.toString('utf8') : '';
  return out;
}

export function readableRecords(p: FetchedPartition, from: bigint, readCommitted: boolean): { records: ReadableRecord[]; next: bigint } {
  const records: ReadableRecord[] = [];
  let next = from;
  const aborted = [...p.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const abortedProducers = new Set<bigint>();
  for (const batch of p.records ?? []) {
    const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (last < from) continue;
    const transactional = (batch.attributes & ATTR_TRANSACTIONAL) !== 0;
    if (readCommitted && transactional) {
      while (aborted.length > 0 && aborted[0].firstOffset <= last) abortedProducers.add(aborted.shift()!.producerId);
    }
    next = last + 1n;
    if ((batch.attributes & ATTR_CONTROL) !== 0) {
      abortedProducers.delete(batch.producerId); // an abort (or commit) marker ends the producer's transaction
      continue;
    }
    if (readCommitted && transactional && abortedProducers.has(batch.producerId)) continue;
    for (const r of batch.records) {
      const offset = batch.firstOffset + BigInt(r.offsetDelta);
      if (offset < from) continue;
      records.push({ offset, key: r.key ?? null, value: r.value ?? null, headers: headersOf(r.headers), timestamp: Number(batch.firstTimestamp + r.timestampDelta) });
    }
  }
  return { records, next };
}
