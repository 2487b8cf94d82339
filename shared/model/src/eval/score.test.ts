import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readCorpus, scoreDocuments } from './score';

describe('scoreDocuments', () => {
  it('is strict on span and type, micro and per type', () => {
    const g = [[{ cpStart: 0, cpEnd: 2, type: 'PER' }, { cpStart: 3, cpEnd: 5, type: 'LOC' }], [{ cpStart: 0, cpEnd: 1, type: 'ORG' }]];
    const p = [[{ cpStart: 0, cpEnd: 2, type: 'PER' }, { cpStart: 3, cpEnd: 4, type: 'LOC' }], [{ cpStart: 0, cpEnd: 1, type: 'PER' }]];
    const s = scoreDocuments(g, p);
    expect(s.precision).toBeCloseTo(1 / 3);
    expect(s.recall).toBeCloseTo(1 / 3);
    expect(s.per_type.PER).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(s.per_type.ORG).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
  });
});

describe('readCorpus', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zhner-corpus-'));
  const file = (name: string, lines: string[]) => {
    const f = path.join(dir, name);
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };

  it('converts code-point offsets to UTF-16 offsets', async () => {
    const f = file('ok.jsonl', [JSON.stringify({ id: 'a', text: '😀李明在𠀀京', entities: [{ start: 1, end: 3, type: 'PER', text: '李明' }, { start: 4, end: 6, type: 'LOC', text: '𠀀京' }] })]);
    const [doc] = await readCorpus(f);
    expect(doc.entities.map((e) => doc.text.slice(e.start, e.end))).toEqual(['李明', '𠀀京']);
    expect(doc.entities[1]).toMatchObject({ cpStart: 4, cpEnd: 6, start: 5, end: 8 });
  });

  it('names the file and line of a bad line', async () => {
    const f = file('bad.jsonl', ['{"text": "a", "entities": []}', '', '{"text": "ab", "entities": [{"start": 0, "end": 3, "type": "X"}]}']);
    await expect(readCorpus(f)).rejects.toMatchObject({ code: 'CORPUS_INVALID', message: expect.stringContaining('bad.jsonl:3') });
    const g = file('json.jsonl', ['{"text": "a"}', 'not json']);
    await expect(readCorpus(g)).rejects.toThrow(/json\.jsonl:2: not JSON/);
    await expect(readCorpus(path.join(dir, 'missing.jsonl'))).rejects.toThrow(/file not found/);
  });
});
