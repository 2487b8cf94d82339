import { ATTR_CONTROL, ATTR_TRANSACTIONAL, readableRecords, type FetchedBatch } from './fetched';

const rec = (delta: number, v: string) => ({ offsetDelta: delta, timestampDelta: 0n, key: null, value: Buffer.from(v), headers: [[Buffer.from('h'), Buffer.from('1')]] as Array<[Buffer | null, Buffer | null]> });
const batch = (first: number, values: string[], o: { pid?: number; txn?: boolean } = {}): FetchedBatch => ({
  firstOffset: BigInt(first),
  lastOffsetDelta: values.length - 1,
  firstTimestamp: 1000n,
  attributes: o.txn ? ATTR_TRANSACTIONAL : 0,
  producerId: BigInt(o.pid ?? -1),
  records: values.map((v, i) => rec(i, v)),
});
const marker = (offset: number, pid: number): FetchedBatch => ({ firstOffset: BigInt(offset), lastOffsetDelta: 0, firstTimestamp: 0n, attributes: ATTR_TRANSACTIONAL | ATTR_CONTROL, producerId: BigInt(pid), records: [rec(0, '')] });
const values = (r: ReturnType<typeof readableRecords>) => r.records.map((x) => x.value!.toString());

describe('readableRecords', () => {
  it('reads plain batches from the requested offset on (a batch may start before it)', () => {
    const r = readableRecords({ abortedTransactions: [], records: [batch(0, ['a', 'b', 'c']), batch(3, ['d'])] }, 1n, true);
    expect(values(r)).toEqual(['b', 'c', 'd']);
    expect(r.records.map((x) => x.offset)).toEqual([1n, 2n, 3n]);
    expect(r.records[0].headers).toEqual({ h: '1' });
    expect(r.next).toBe(4n);
  });

  it('skips an aborted transaction and its marker, keeps a committed one of the same producer', () => {
    const r = readableRecords(
      { abortedTransactions: [{ producerId: 7n, firstOffset: 0n }], records: [batch(0, ['x1', 'x2'], { pid: 7, txn: true }), marker(2, 7), batch(3, ['ok'], { pid: 7, txn: true }), marker(4, 7)] },
      0n,
      true,
    );
    expect(values(r)).toEqual(['ok']);
    expect(r.next).toBe(5n);
  });

  it('skips an aborted transaction whose marker lies beyond this response (a defect of @platformatic/kafka 1.x\'s own filter)', () => {
    const r = readableRecords({ abortedTransactions: [{ producerId: 7n, firstOffset: 10n }], records: [batch(8, ['plain1', 'plain2']), batch(10, ['aborted'], { pid: 7, txn: true })] }, 8n, true);
    expect(values(r)).toEqual(['plain1', 'plain2']);
    expect(r.next).toBe(11n); // past it: it is never delivered
  });

  it('skips two aborted transactions of one producer in one response', () => {
    const r = readableRecords(
      {
        abortedTransactions: [{ producerId: 7n, firstOffset: 0n }, { producerId: 7n, firstOffset: 2n }],
        records: [batch(0, ['a1'], { pid: 7, txn: true }), marker(1, 7), batch(2, ['a2'], { pid: 7, txn: true }), marker(3, 7), batch(4, ['other'], { pid: 8, txn: true }), marker(5, 8)],
      },
      0n,
      true,
    );
    expect(values(r)).toEqual(['other']);
  });

  it('delivers everything but markers under read_uncommitted', () => {
    const r = readableRecords({ abortedTransactions: [{ producerId: 7n, firstOffset: 0n }], records: [batch(0, ['a'], { pid: 7, txn: true }), marker(1, 7)] }, 0n, false);
    expect(values(r)).toEqual(['a']);
    expect(r.next).toBe(2n);
  });
});
