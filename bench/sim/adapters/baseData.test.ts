import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_MODEL_DIR } from '@zhner/model';
import { parseDataIds, trainedOnPool } from './baseData';

// a complete manifest (the runtime's parser checks it) with the data records under test
const bundled = JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('trainedOnPool', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zhner-basedata-'));
  const pool = path.join(dir, 'train.jsonl');
  writeFileSync(pool, '{"id":"c-0","text":"甲","entities":[]}\n{"id":"c-1","text":"乙","entities":[]}\n');
  const sha = createHash('sha256').update(`{"id":"c-0","text":"甲","entities":[]}\n{"id":"c-1","text":"乙","entities":[]}\n`).digest('hex');
  const model = (name: string, manifest: unknown, ids?: string) => {
    const d = path.join(dir, name);
    mkdirSync(d);
    writeFileSync(path.join(d, 'manifest.json'), JSON.stringify({ ...bundled, data_ids: undefined, ...(manifest as object) }));
    if (ids !== undefined) writeFileSync(path.join(d, 'training_data.ids.gz'), gzipSync(ids));
    return d;
  };

  it('reads the ids of the pool file (matched by sha256) from the data ids file', async () => {
    const d = model('v2', { data: [{ file: '${paths.data_root}/cluener/train.jsonl', sha256: sha, role: 'train' }], data_ids: { file: 'training_data.ids.gz' } },
      '#zhner-data-ids v1\n#file ${paths.data_root}/msra/train.jsonl\nm-1\n#file ${paths.data_root}/cluener/train.jsonl\nc-1\n');
    const t = await trainedOnPool(d, pool);
    expect([...t.ids]).toEqual(['c-1']);
    expect(t.wholeFile).toBe(false);
  });

  it('counts the whole file as trained on when an older manifest lists it without ids', async () => {
    const d = model('v1', { data: [{ file: 'x', sha256: sha, role: 'train' }] });
    expect((await trainedOnPool(d, pool)).wholeFile).toBe(true);
  });

  it('excludes nothing when the pool file is not training data of the model', async () => {
    const d = model('other', { data: [{ file: 'x', sha256: sha, role: 'dev' }] });
    expect(await trainedOnPool(d, pool)).toMatchObject({ wholeFile: false, ids: new Set() });
  });

  it('parses the ids file format', () => {
    expect(parseDataIds(gzipSync('#zhner-data-ids v1\n#file a\n1\n2\n#file b\n')).get('a')).toEqual(['1', '2']);
  });
});
