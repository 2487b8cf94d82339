// The configuration tables of the services' READMEs, generated from their config schemas (the
// one source: `describeConfig`), so the docs cannot drift from the code.
//
//   npx tsx scripts/configDocs.ts           rewrite the tables
//   npx tsx scripts/configDocs.ts --check   exit 1 when a table differs (also a unit test)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, type ConfigSpec } from '@zhner/core';
import { configSpec as reloader } from '@zhner/reloader';
import { configSpec as sampler } from '@zhner/sampler';
import { configSpec as studio } from '@zhner/studio';
import { configSpec as tagger } from '@zhner/tagger';
import { configSpec as orchestrator } from '@zhner/trainer-orchestrator';

const repo = path.resolve(__dirname, '..');
export const SERVICES: Record<string, ConfigSpec> = { tagger, sampler, 'trainer-orchestrator': orchestrator, reloader, studio };
const HEADER = '| variable | default | meaning |';

/** A README with its configuration table replaced by the generated one. */
export function withTable(readme: string, spec: ConfigSpec): string {
  const at = readme.indexOf(HEADER);
  if (at < 0) throw new Error(`no "${HEADER}" table`);
  const lines = readme.slice(at).split('\n');
  let n = 0;
  while (n < lines.length && lines[n].startsWith('|')) n++;
  // paths in defaults are machine-specific (the repository's location): shown relative to it
  const table = describeConfig(spec).split(repo + path.sep).join('').split(repo).join('.');
  return readme.slice(0, at) + [table, ...lines.slice(n)].join('\n');
}

export function staleReadmes(): string[] {
  return Object.entries(SERVICES)
    .filter(([name, spec]) => {
      const file = path.join(repo, 'services', name, 'README.md');
      const text = readFileSync(file, 'utf8');
      return withTable(text, spec) !== text;
    })
    .map(([name]) => `services/${name}/README.md`);
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = staleReadmes();
    if (stale.length) {
      process.stderr.write(`configuration tables out of date (npx tsx scripts/configDocs.ts): ${stale.join(', ')}\n`);
      process.exit(1);
    }
  } else {
    for (const [name, spec] of Object.entries(SERVICES)) {
      const file = path.join(repo, 'services', name, 'README.md');
      writeFileSync(file, withTable(readFileSync(file, 'utf8'), spec));
    }
  }
}
