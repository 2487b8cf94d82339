#!/usr/bin/env node
// The typecheck step of `npm test` (also `npm run typecheck`): tsc --noEmit, strict, over the
// server-side tree (tsconfig.json), the studio's browser code (services/studio/web/tsconfig.json,
// DOM types) and its unit tests (tsconfig.test.json, jest types). Exit status 1 if any fails.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const projects = ['tsconfig.json', 'services/studio/web/tsconfig.json', 'services/studio/web/tsconfig.test.json'];
let failed = 0;
for (const p of projects) {
  const r = spawnSync(process.execPath, [tsc, '-p', p, '--noEmit'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`typecheck: ${p} failed\n`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
