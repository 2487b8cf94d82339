/** @jest-environment ./shared/model/jest-environment.js */
// A bilstm_crf.v2 model — corpus conventions (convention embedding + one emission head each),
// character classes, LAC's characters in the vocabulary — trained for a few steps by the REAL
// trainer (configs/tiny_v2.cfg), exported, and loaded by the TypeScript runtime, which must
// compute the trainer's class ids and decode exactly the trainer's label paths under EVERY
// convention, with the entity well-formedness constraints on both sides. Then the orchestrator's
// path: a fine-tune with this model as parent folds its data into the default convention and keeps
// the lineage of trained sentence ids. About 40 s on two cores.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ModelLoadError, loadFeaturizer, loadModel, parseManifest, splitForModel, toCodePoints } from '@zhner/model';
import { TRAINER_DIR, TRICKY_TEXTS, corpusTexts, jsonLines, trainer } from './support';

jest.setTimeout(240_000);

const BLANKS_AND_EMOJI = ['   ', '😀😀😀', '李鹏   在北京', '　　王小明　　来了', '🇨🇳🇨🇳 中国 🇨🇳'];

describe('conventions: trainer → ONNX → TypeScript runtime', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'zhner-conv-'));
  const modelDir = path.join(work, 'model');
  const childDir = path.join(work, 'child');

  beforeAll(async () => {
    await trainer([
      'train', '--config', path.join(TRAINER_DIR, 'configs', 'tiny_v2.cfg'), '--out', modelDir,
      '--set', 'corpora.train_limit=400', '--set', 'training.epochs=3', '--set', 'training.learning_rate=0.02',
      '--set', 'export.int8_check_docs=0',
    ]);
  });

  it('lists its conventions in the manifest and serves the one asked for', async () => {
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')), modelDir);
    expect(manifest.conventions).toMatchObject({ names: ['msra', 'weibo', 'cluener'], default: 'msra', input: 'convention_ids', aliases: { peoples_daily: 'msra' } });
    expect(manifest.featurizer.kind).toBe('zhner.char_bigram_lexicon.v2');
    expect(manifest.onnx.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'bigram_ids', 'lexicon_feats', 'class_ids', 'convention_ids']);
    const byDefault = await loadModel(modelDir, { precision: 'fp32' });
    expect([byDefault.conventions, byDefault.convention, byDefault.defaultConvention]).toEqual([['msra', 'weibo', 'cluener'], 'msra', 'msra']);
    await byDefault.dispose();
    const weibo = await loadModel(modelDir, { precision: 'fp32', convention: 'weibo' });
    expect(weibo.convention).toBe('weibo');
    await weibo.dispose();
    const err = await loadModel(modelDir, { convention: 'resume' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe('MODEL_CONVENTION_UNKNOWN');
  });

  it('computes the class ids of the trainer', async () => {
    const texts = [...corpusTexts('weibo/dev.jsonl', 40), ...corpusTexts('cluener/train.jsonl', 20), ...TRICKY_TEXTS, ...BLANKS_AND_EMOJI];
    const input = path.join(work, 'texts.jsonl');
    writeFileSync(input, texts.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n');
    const py = jsonLines<{ input_ids: number[]; class_ids: number[]; classes: number[] }>(await trainer(['features', '--model', modelDir, '--input', input]));
    const manifest = parseManifest(JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')), modelDir);
    const featurizer = await loadFeaturizer(modelDir, manifest.featurizer);
    texts.forEach((text, i) => {
      const f = featurizer.featurise(toCodePoints(text).cps);
      expect({ i, ids: Array.from(f.inputIds), cls: Array.from(f.classIds ?? []), all: Array.from(f.classes) }).toEqual({ i, ids: py[i].input_ids, cls: py[i].class_ids, all: py[i].classes });
    });
  });

  it('decodes the label paths of PyTorch under every convention, and the conventions differ', async () => {
    const docs = [...corpusTexts('msra/train.jsonl', 30), ...corpusTexts('weibo/dev.jsonl', 20), ...corpusTexts('cluener/train.jsonl', 20), ...TRICKY_TEXTS, ...BLANKS_AND_EMOJI];
    const model = await loadModel(modelDir, { precision: 'fp32' });
    const paths: Record<string, number[][]> = {};
    try {
      const segments = docs.flatMap((d) => splitForModel(d, model.maxLength).map((s) => s.text)).filter((s) => s.length > 0);
      const input = path.join(work, 'segments.jsonl');
      writeFileSync(input, segments.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n');
      for (const convention of model.conventions) {
        const torch = jsonLines<{ labels: number[] }>(await trainer(['predict', '--model', modelDir, '--input', input, '--convention', convention]));
        const ts = await model.predictSegments(segments, { convention });
        expect(ts).toHaveLength(torch.length);
        ts.forEach((p, i) => expect({ convention, i, path: Array.from(p.path) }).toEqual({ convention, i, path: torch[i].labels }));
        paths[convention] = torch.map((t) => t.labels);
        expect(torch.reduce((n, t) => n + t.labels.filter((l) => l !== 0).length, 0)).toBeGreaterThan(20); // not all "O"
      }
      const differs = (a: string, b: string) => paths[a].some((p, i) => p.join() !== paths[b][i].join());
      expect(differs('msra', 'weibo') || differs('msra', 'cluener')).toBe(true);
      // the well-formedness rule on the real model: nothing on blanks or emoji alone, no edge blanks
      for (const convention of model.conventions) {
        for (const p of await model.predict(BLANKS_AND_EMOJI, { convention })) {
          for (const e of p.entities) expect(e.text).toMatch(/^\S(.*\S)?$/u);
        }
        const [blank, emoji] = await model.predict(['   ', '😀😀😀'], { convention });
        expect([blank.entities, emoji.entities]).toEqual([[], []]);
      }
    } finally {
      await model.dispose();
    }
  });

  it('fine-tunes with the v2 model as parent into its default convention, keeping the trained ids', async () => {
    const train = path.join(work, 'corrections.jsonl');
    const text = '主持人王小明在杭州采访了阿里巴巴的员工。';
    writeFileSync(train, Array.from({ length: 8 }, (_, i) => JSON.stringify({ id: `corr-${i}`, text, entities: [{ start: 3, end: 6, type: 'PER' }, { start: 7, end: 9, type: 'LOC' }, { start: 12, end: 16, type: 'ORG' }] })).join('\n') + '\n');
    const stdout = await trainer([
      'finetune', '--config', path.join(TRAINER_DIR, 'configs', 'finetune.cfg'), '--init-from', modelDir, '--out', childDir,
      '--set', `corpora.train=${JSON.stringify([train])}`, '--set', 'corpora.train_repeat=[]', '--set', `corpora.dev=${JSON.stringify(train)}`,
      '--set', 'corpora.extra_dev=[]', '--set', 'training.epochs=1', '--set', 'export.int8_check_docs=0', '--set', 'system.threads=1',
    ]);
    expect(stdout).toMatch(/^RESULT /m);
    const manifest = JSON.parse(readFileSync(path.join(childDir, 'manifest.json'), 'utf8')) as {
      conventions: { names: string[]; default: string }; parent_version: string; data: { role: string; convention?: string }[]; data_ids: { file: string };
    };
    expect(manifest.conventions).toMatchObject({ names: ['msra', 'weibo', 'cluener'], default: 'msra' });
    expect(manifest.data.find((d) => d.role === 'train')?.convention).toBe('msra');
    const ids = gunzipSync(readFileSync(path.join(childDir, manifest.data_ids.file))).toString('utf8');
    expect(ids).toMatch(/^corr-0$/m);
    expect(ids).toMatch(/^msra-train-\d+$/m); // the parent's training sentences stay listed
    const child = await loadModel(childDir);
    const [p] = await child.predict([text]);
    expect(p.tokens).toBe(Array.from(text).length);
    await child.dispose();
  });
});
