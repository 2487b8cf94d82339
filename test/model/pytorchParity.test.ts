/** @jest-environment ./shared/model/jest-environment.js */
// A tiny model trained for a few steps through the REAL trainer CLI, exported to ONNX and loaded by
// the TypeScript runtime, must decode exactly the label sequences of the PyTorch model (FP32).
// About 15 s on two cores.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadModel, splitForModel } from '@zhner/model';
import { TRAINER_DIR, TRICKY_TEXTS, corpusTexts, jsonLines, trainer } from './support';

jest.setTimeout(180_000);

describe('ONNX + TypeScript CRF decoding reproduces PyTorch', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'zhner-parity-'));
  const modelDir = path.join(work, 'model');
  let stdout = '';

  beforeAll(async () => {
    stdout = await trainer([
      'train', '--config', path.join(TRAINER_DIR, 'configs', 'tiny.cfg'), '--out', modelDir,
      '--set', 'corpora.train_limit=400', '--set', 'training.epochs=3', '--set', 'training.learning_rate=0.02',
      '--set', 'export.int8_check_docs=0',
    ]);
  });

  it('prints one PROGRESS line per epoch and a RESULT line', () => {
    const lines = stdout.trim().split('\n');
    const progress = lines.filter((l) => l.startsWith('PROGRESS ')).map((l) => JSON.parse(l.slice(9)) as Record<string, unknown>);
    expect(progress).toHaveLength(3);
    expect(Object.keys(progress[0])).toEqual(['epoch', 'step', 'loss', 'dev', 'elapsed_s', 'best_f1']);
    const result = JSON.parse(lines[lines.length - 1].replace(/^RESULT /, '')) as { out_dir: string; version: string };
    expect(result.out_dir).toBe(modelDir);
    expect(result.version).toMatch(/^zh-ner-tiny-bilstm-crf-/);
  });

  it('gives identical label paths on one padded batch of segments of different lengths', async () => {
    const model = await loadModel(modelDir, { precision: 'fp32' });
    try {
      // training sentences (the tiny model has memorised entities there), unseen weibo text, tricky strings
      const docs = [...corpusTexts('msra/train.jsonl', 40), ...corpusTexts('weibo/dev.jsonl', 20), ...TRICKY_TEXTS];
      const segments = docs.flatMap((d) => splitForModel(d, model.maxLength).map((s) => s.text)).filter((s) => s.length > 0);
      const input = path.join(work, 'segments.jsonl');
      writeFileSync(input, segments.map((text, i) => JSON.stringify({ id: String(i), text })).join('\n') + '\n');
      const torch = jsonLines<{ id: string; labels: number[] }>(await trainer(['predict', '--model', modelDir, '--input', input]));
      const ts = await model.predictSegments(segments);
      expect(ts).toHaveLength(torch.length);
      let entityTokens = 0;
      ts.forEach((p, i) => {
        expect(Array.from(p.path)).toEqual(torch[i].labels);
        entityTokens += torch[i].labels.filter((l) => l !== 0).length;
      });
      expect(entityTokens).toBeGreaterThan(20); // the comparison is not all-"O"
      expect(new Set(segments.map((s) => Array.from(s).length)).size).toBeGreaterThan(10);
    } finally {
      await model.dispose();
    }
  });

  it('loads the INT8 variant with the same labels', async () => {
    const model = await loadModel(modelDir);
    expect(model.precision).toBe('int8');
    // a manifest without conventions (bilstm_crf.v1) serves one implicit convention
    expect([model.conventions, model.convention]).toEqual([['default'], 'default']);
    const [p] = await model.predict(['人民日报记者李明在北京报道。']);
    expect(p.tokens).toBe(14);
    await model.dispose();
  });
});
