#!/usr/bin/env node
// The "lint" step of `npm test` (also `npm run lint`): the architecture rules, enforced.
//   1. dependency-cruiser with .dependency-cruiser.cjs: no service imports another, domain/ imports
//      only @zhner/core + @zhner/contracts, core has no dependency, contracts and the model runtime
//      import only core, the web bundle takes contract types only, packages through their index,
//      no cycles (scripts/lint.test.ts plants violations and proves each rule bites);
//   2. jscpd (copy/paste detector): at most CPD_THRESHOLD % duplicated lines (runs of ≥ 6 lines /
//      50 tokens) over the TypeScript sources; the clones are listed when it fails.
// Exit status 1 when either fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
export const SOURCE_ROOTS = ['services', 'shared', 'bench', 'deploy/local', 'test', 'scripts'];
export const CPD_THRESHOLD = 1.0;

export function dependencyCheck(paths = SOURCE_ROOTS) {
  return spawnSync(bin('depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...paths], { cwd: repo, encoding: 'utf8' });
}

function copyPasteCheck() {
  const out = mkdtempSync(path.join(os.tmpdir(), 'zhner-cpd-'));
  try {
    const r = spawnSync(
      bin('jscpd'),
      [...SOURCE_ROOTS, '--pattern', '**/*.{ts,tsx,mjs}', '--ignore', '**/node_modules/**,**/dist/**', '--min-lines', '6', '--min-tokens', '50', '--reporters', 'json', '--output', out, '--silent'],
      { cwd: repo, encoding: 'utf8' },
    );
    if (r.status !== 0) return { ok: false, text: `jscpd failed: ${r.stderr || r.stdout}` };
    const report = JSON.parse(readFileSync(path.join(out, 'jscpd-report.json'), 'utf8'));
    const t = report.statistics.total;
    const lines = report.duplicates.map((d) => `  ${d.lines} lines: ${d.firstFile.name}:${d.firstFile.start} ~ ${d.secondFile.name}:${d.secondFile.start}`);
    const ok = t.percentage <= CPD_THRESHOLD;
    return { ok, text: `copy/paste: ${t.clones} clones, ${t.duplicatedLines} of ${t.lines} lines (${t.percentage} %, threshold ${CPD_THRESHOLD} %)${ok ? '' : `\n${lines.join('\n')}`}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const deps = dependencyCheck();
  process.stderr.write(deps.status === 0 ? `dependency rules: ${(deps.stdout || 'no violations').trim().split('\n').pop()}\n` : `${deps.stdout}${deps.stderr}\n`);
  const cpd = copyPasteCheck();
  process.stderr.write(`${cpd.text}\n`);
  process.exit(deps.status === 0 && cpd.ok ? 0 : 1);
}
