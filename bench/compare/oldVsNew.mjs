// Same-run comparison of the tagger bench on two revisions of this repository: is a refactor
// within noise of the code before it?
//
//   npm run bench:compare -- --old REV [--model DIR] [--rounds N] [--docs N] [--http-seconds S]
//
// Clones REV next to a temporary folder (npm ci, no install scripts), then runs the old and the new
// (this checkout) `npm run bench:tagger` alternately, N rounds each (the machine is shared: taking
// turns gives both the same load), without Kafka and PyTorch, on ONE model directory both can
// load (default: the bundled model of REV, so the model is the same and only the code differs).
// Prints a line per run on stderr and, last on stdout, one JSON object: the medians of each side,
// new/old ratios and the machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..', '..');
const argv = process.argv.slice(2);
const arg = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const old = arg('old');
if (!old) {
  process.stderr.write('usage: npm run bench:compare -- --old REV [--model DIR] [--rounds N] [--docs N] [--http-seconds S]\n');
  process.exit(2);
}
const rounds = Number(arg('rounds', '3'));
const docs = arg('docs', '2000');
const httpSeconds = arg('http-seconds', '10');
const keys = ['raw_docs_per_s', 'raw_fp32_docs_per_s', 'raw_unbatched_docs_per_s', 'queue_batched_docs_per_s', 'queue_unbatched_docs_per_s', 'batching_speedup', 'int8_speedup', 'http_docs_per_s', 'http_p50_ms', 'http_p99_ms', 'f1_int8'];

const dir = mkdtempSync(path.join(os.tmpdir(), 'zhner-compare-'));
const oldRepo = path.join(dir, 'old');
try {
  const rev = execFileSync('git', ['rev-parse', '--short', old], { cwd: repo, encoding: 'utf8' }).trim();
  process.stderr.write(`[compare] cloning ${rev} into ${oldRepo}\n`);
  execFileSync('git', ['clone', '-q', repo, oldRepo], { stdio: 'inherit' });
  execFileSync('git', ['checkout', '-q', rev], { cwd: oldRepo, stdio: 'inherit' });
  execFileSync('npm', ['ci', '--ignore-scripts', '--loglevel=error', '--no-audit', '--no-fund'], { cwd: oldRepo, stdio: ['ignore', 'ignore', 'inherit'] });
  const model = path.resolve(arg('model', path.join(oldRepo, 'models', 'zh-ner-default')));
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const runs = { old: [], new: [] };
  let machine = null;
  for (let r = 0; r < rounds; r++) {
    for (const [side, cwd] of [['old', oldRepo], ['new', repo]]) {
      const res = spawnSync('npm', ['run', '--silent', 'bench:tagger', '--', '--model', model, '--skip-kafka', '--skip-pytorch', '--skip-mixed', '--rounds', '1', '--docs', docs, '--http-seconds', httpSeconds], {
        cwd, encoding: 'utf8', env: { ...process.env, ZHNER_DATA_ROOT: path.resolve(repo, '..', 'shared', 'data') }, maxBuffer: 64 << 20,
      });
      const last = res.stdout.trim().split('\n').pop() ?? '';
      if (res.status !== 0 || !last.startsWith('{')) throw new Error(`bench:tagger (${side}) exited ${res.status}:\n${res.stderr.slice(-3000)}`);
      const out = JSON.parse(last);
      machine ??= out.machine;
      runs[side].push(out);
      process.stderr.write(`[compare] round ${r + 1} ${side}: ${keys.map((k) => `${k} ${out[k]}`).join(', ')}\n`);
    }
  }
  const median = (xs) => {
    const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
  };
  const side = (s) => Object.fromEntries(keys.map((k) => [k, median(runs[s].map((o) => o[k]))]));
  const o = side('old');
  const n = side('new');
  const ratio = Object.fromEntries(keys.map((k) => [k, o[k] && n[k] !== null ? Math.round((n[k] / o[k]) * 1000) / 1000 : null]));
  process.stdout.write(`${JSON.stringify({ old: { rev, ...o }, new: { rev: head, ...n }, new_over_old: ratio, rounds, model: path.relative(dir, model).startsWith('old') ? `${rev}:models/zh-ner-default` : model, machine })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
