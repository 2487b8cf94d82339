import { chunkData, conllToken, parseData, serialiseData, summarise, type DataFormat, type GoldRecord } from './dataFormats';

const LABELS = ['PER', 'LOC', 'ORG'];
const opts = { labels: LABELS };

// 𠮷 is one code point and two UTF-16 code units: offsets after it differ between the two
const RECORDS: GoldRecord[] = [
  { id: 'd1', text: '李鹏在北京会见了日本客人', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }, { start: 3, end: 5, type: 'LOC', text: '北京' }, { start: 8, end: 10, type: 'LOC', text: '日本' }] },
  { id: 'd2', text: '𠮷野家在东京 开店', entities: [{ start: 0, end: 4, type: 'ORG', text: '𠮷野家' }, { start: 5, end: 7, type: 'LOC', text: '东京' }] },
  { id: 'd3', text: '没有实体。', entities: [] },
  { id: null, text: 'a\\b\tc\u3000王𠮷', entities: [{ start: 6, end: 9, type: 'PER', text: '王𠮷' }] },
];

describe('data formats', () => {
  it.each<DataFormat>(['jsonl', 'conll', 'spans-jsonl'])('round-trips %s losslessly (astral characters, whitespace, backslash, ids)', (format) => {
    const text = serialiseData(format, RECORDS);
    const back = parseData(format, text, opts);
    expect(back.rejected).toEqual([]);
    expect(back.records.map(({ line: _line, ...r }) => r)).toEqual(RECORDS);
    expect(serialiseData(format, back.records)).toBe(text);
  });

  it('writes code-point offsets in jsonl and spans-jsonl', () => {
    const [, line2] = serialiseData('jsonl', RECORDS).split('\n');
    expect(JSON.parse(line2).entities).toEqual([{ start: 0, end: 3, type: 'ORG', text: '𠮷野家' }, { start: 4, end: 6, type: 'LOC', text: '东京' }]);
    const spans = JSON.parse(serialiseData('spans-jsonl', [RECORDS[1]]));
    expect(spans).toEqual({ text: '𠮷野家在东京 开店', spans: [{ start: 0, end: 3, label: 'ORG' }, { start: 4, end: 6, label: 'LOC' }], meta: { id: 'd2' } });
  });

  it('writes one conll line per code point, escaping whitespace and the backslash', () => {
    const conll = serialiseData('conll', [RECORDS[1]]).split('\n');
    expect(conll.slice(0, 3)).toEqual(['# id = d2', '𠮷\tB-ORG', '野\tI-ORG']);
    expect(conll).toContain('\\u0020\tO');
    expect([conllToken(' '), conllToken('\t'), conllToken('\u3000'), conllToken('\\'), conllToken('𠮷')]).toEqual(['\\u0020', '\\u0009', '\\u3000', '\\u005C', '𠮷']);
  });

  it('rejects bad JSON Lines with their line number and reason, skipping blank lines', () => {
    const lines = [
      JSON.stringify({ id: 'ok', text: '李鹏在北京', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }] }),
      '',
      '{not json',
      JSON.stringify({ id: 'x', text: '李鹏在北京', entities: [{ start: 3, end: 5, type: 'LOC', text: '上海' }] }),
      JSON.stringify({ id: 'y', text: '李鹏在北京', entities: [{ start: 3, end: 5, type: 'COUNTRY', text: '北京' }] }),
      JSON.stringify({ id: 'z', text: '李鹏在北京', entities: [{ start: 0, end: 2, type: 'PER' }, { start: 1, end: 3, type: 'PER' }] }),
      JSON.stringify({ id: 'w', text: '李鹏', entities: [{ start: 0, end: 9, type: 'PER' }] }),
      JSON.stringify({ id: 'v', text: '' }),
      JSON.stringify({ id: 'u', text: 'a\u0000b' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ id: 'ok', text: '李鹏在北京', entities: [] }),
      JSON.stringify({ id: 7, text: '李鹏' }),
      JSON.stringify({ id: 't', text: '李鹏', entities: [{ start: 0.5, end: 2, type: 'PER' }] }),
    ].join('\n');
    const r = parseData('jsonl', lines, opts);
    expect(r.records.map((x) => [x.line, x.id])).toEqual([[1, 'ok']]);
    expect(r.rejected.map((x) => [x.line, x.code])).toEqual([
      [3, 'NOT_JSON'],
      [4, 'SURFACE_MISMATCH'],
      [5, 'UNKNOWN_TYPE'],
      [6, 'SPAN_OVERLAP'],
      [7, 'SPAN_OUT_OF_RANGE'],
      [8, 'EMPTY_TEXT'],
      [9, 'CONTROL_CHARACTER'],
      [10, 'NOT_AN_OBJECT'],
      [11, 'DUPLICATE_RECORD'],
      [12, 'ID_NOT_A_STRING'],
      [13, 'SPAN_NOT_INTEGER'],
    ]);
    expect(r.rejected[1].reason).toContain('上海');
  });

  it('numbers lines from firstLine (a chunk of a larger file)', () => {
    const r = parseData('jsonl', `${JSON.stringify({ text: '北京' })}\n{bad`, { ...opts, firstLine: 101 });
    expect([r.records[0].line, r.rejected[0].line]).toEqual([101, 102]);
  });

  it('reads spans-jsonl (label, optional meta.id; the surface text is derived)', () => {
    const r = parseData('spans-jsonl', JSON.stringify({ text: '𠮷在北京', spans: [{ start: 2, end: 4, label: 'LOC' }] }), opts);
    expect(r.records[0]).toEqual({ line: 1, id: null, text: '𠮷在北京', entities: [{ start: 3, end: 5, type: 'LOC', text: '北京' }] });
  });

  it('rejects bad conll sentences at the offending line, keeping the good ones', () => {
    const conll = [
      '# id = s1', // 1
      '李\tB-PER',
      '鹏\tI-PER',
      '',
      '在\tO', // 5
      '北\tI-LOC',
      '',
      '日\tB-COUNTRY', // 8
      '',
      '京 B-LOC', // 10: space-separated is read too
      '',
      '北京\tB-LOC', // 12: two characters in one token line
      '',
      '北\tB-LOC', // 14
      '京\tI-PER',
      '',
      'lonely', // 17
      '',
      '',
      '# id = s1', // 20: the same id and text again
      '李\tB-PER',
      '鹏\tI-PER',
    ].join('\n');
    const r = parseData('conll', conll, opts);
    expect(r.records.map((x) => [x.line, x.id, x.text, x.entities.length])).toEqual([
      [1, 's1', '李鹏', 1],
      [10, null, '京', 1],
    ]);
    expect(r.rejected.map((x) => [x.line, x.code])).toEqual([
      [6, 'BIO_INVALID'],
      [8, 'UNKNOWN_TYPE'],
      [12, 'CONLL_LINE'],
      [15, 'BIO_INVALID'],
      [17, 'CONLL_LINE'],
      [20, 'DUPLICATE_RECORD'],
    ]);
    expect(r.rejected[0].reason).toContain('has no B-LOC');
  });

  it('tolerates CRLF and a BOM', () => {
    const r = parseData('conll', '\uFEFF李\tB-PER\r\n鹏\tI-PER\r\n', opts);
    expect(r.records[0]).toMatchObject({ text: '李鹏', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }] });
  });

  it('summarises documents, entities and types', () => {
    expect(summarise(RECORDS, [])).toEqual({ documents: 4, entities: 6, per_type: { PER: 2, LOC: 3, ORG: 1 }, rejected: [] });
  });

  it('chunks at record boundaries (never inside a conll sentence) and keeps line numbers', () => {
    const conll = serialiseData('conll', RECORDS);
    const chunks = chunkData('conll', conll, 40);
    expect(chunks.length).toBeGreaterThan(1);
    const parsed = chunks.map((c) => parseData('conll', c.content, { ...opts, firstLine: c.firstLine }));
    expect(parsed.flatMap((p) => p.rejected)).toEqual([]);
    expect(parsed.flatMap((p) => p.records)).toEqual(parseData('conll', conll, opts).records);
    const jsonl = serialiseData('jsonl', RECORDS);
    const j = chunkData('jsonl', jsonl, 1);
    expect(j.map((c) => c.firstLine).slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(chunkData('jsonl', jsonl, 1 << 20)).toHaveLength(1);
  });
});
