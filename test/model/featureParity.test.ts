// The TypeScript featuriser computes exactly the ids, lexicon levels and character classes of the
// Python featuriser (zhner_trainer.features, text.char_class) from the files of the bundled model
// directory, on ~300 sentences of several corpora (news, Weibo, resumes, CLUENER) plus tricky
// strings (emoji, blanks, astral characters, lone surrogates). About 10 s.
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MODEL_DIR, loadFeaturizer, parseManifest, toCodePoints } from '@zhner/model';
import { TRICKY_TEXTS, corpusTexts, jsonLines, trainer } from './support';

jest.setTimeout(120_000);

interface PyFeatures {
  id: string;
  input_ids: number[];
  bigram_ids?: number[];
  lexicon_levels?: number[];
  class_ids?: number[];
  classes: number[];
}

describe('feature parity TypeScript vs Python', () => {
  it('gives identical char ids, bigram ids and lexicon levels', async () => {
    const texts = [
      ...corpusTexts('msra/train.jsonl', 80, 1000),
      ...corpusTexts('peoples_daily/dev.jsonl', 60),
      ...corpusTexts('weibo/train.jsonl', 50),
      ...corpusTexts('weibo/dev.jsonl', 40),
      ...corpusTexts('resume/dev.jsonl', 30),
      ...corpusTexts('cluener/train.jsonl', 40),
      ...TRICKY_TEXTS,
      '   ', '😀😀😀', '李鹏   在北京', '华为发布了新款手机。', '我在华为村长大。', '拜登和普京通了电话',
    ];
    expect(texts.length).toBeGreaterThanOrEqual(300);
    const work = mkdtempSync(path.join(tmpdir(), 'zhner-features-'));
    const input = path.join(work, 'texts.jsonl');
    writeFileSync(input, texts.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n');
    const py = jsonLines<PyFeatures>(await trainer(['features', '--model', DEFAULT_MODEL_DIR, '--input', input]));
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8')), DEFAULT_MODEL_DIR);
    const featurizer = await loadFeaturizer(DEFAULT_MODEL_DIR, manifest.featurizer);
    expect(py).toHaveLength(texts.length);
    let lexHits = 0;
    let unk = 0;
    texts.forEach((text, i) => {
      const f = featurizer.featurise(toCodePoints(text).cps);
      expect({ i, ids: Array.from(f.inputIds) }).toEqual({ i, ids: py[i].input_ids });
      expect({ i, bigrams: Array.from(f.bigramIds ?? []) }).toEqual({ i, bigrams: py[i].bigram_ids ?? [] });
      expect({ i, lex: Array.from(f.lexiconLevels ?? []) }).toEqual({ i, lex: py[i].lexicon_levels ?? [] });
      expect({ i, cls: Array.from(f.classIds ?? []), all: Array.from(f.classes) }).toEqual({ i, cls: py[i].class_ids ?? [], all: py[i].classes });
      lexHits += (py[i].lexicon_levels ?? []).filter((v) => v > 0).length;
      unk += py[i].input_ids.filter((v) => v === 1).length;
    });
    expect(lexHits).toBeGreaterThan(1000);
    expect(unk).toBeGreaterThan(0); // rare characters and emoji exercise <unk>
  });
});
