// The configuration and error tables of the services' READMEs, generated from their config schemas
// (`describeConfig`) and error catalogues (`describeErrors`, src/errors.ts): the one source each, so
// the docs cannot drift from the code.
//
//   npx tsx scripts/configDocs.ts           rewrite the tables
//   npx tsx scripts/configDocs.ts --check   exit 1 when a table differs (also a unit test)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeConfig, describeErrors, type CatalogueEntry, type ConfigSpec } from '@zhner/core';
import { configSpec as reloader, errors as reloaderErrors } from '@zhner/reloader';
import { configSpec as sampler, errors as samplerErrors } from '@zhner/sampler';
import { configSpec as studio, errors as studioErrors } from '@zhner/studio';
import { configSpec as tagger, errors as taggerErrors } from '@zhner/tagger';
import { configSpec as orchestrator, errors as orchestratorErrors } from '@zhner/trainer-orchestrator';

const repo = path.resolve(__dirname, '..');

/** What a service README's generated tables come from. */
export interface ServiceDocs {
  config: ConfigSpec;
  errors: { entries(): CatalogueEntry[] };
}

export const SERVICES: Record<string, ServiceDocs> = {
  tagger: { config: tagger, errors: taggerErrors },
  sampler: { config: sampler, errors: samplerErrors },
  'trainer-orchestrator': { config: orchestrator, errors: orchestratorErrors },
  reloader: { config: reloader, errors: reloaderErrors },
  studio: { config: studio, errors: studioErrors },
};
const CONFIG_HEADER = '| variable | default | meaning |';
const ERRORS_HEADER = '| code | status | message |';

/** `readme` with the table that starts with `header` replaced by `table`. */
function replaceTable(readme: string, header: string, table: string): string {
  const at = readme.indexOf(header);
  if (at < 0) throw new Error(`no "${header}" table`);
  const lines = readme.slice(at).split('\n');
  let n = 0;
  while (n < lines.length && lines[n].startsWith('|')) n++;
  return readme.slice(0, at) + [table, ...lines.slice(n)].join('\n');
}

/** A README with its configuration table replaced by the generated one. */
export function withTable(readme: string, spec: ConfigSpec): string {
  // paths in defaults are machine-specific (the repository's location): shown relative to it
  return replaceTable(readme, CONFIG_HEADER, describeConfig(spec).split(repo + path.sep).join('').split(repo).join('.'));
}

/** A README with its errors table replaced by the one generated from the service's catalogue. */
export function withErrorsTable(readme: string, errors: ServiceDocs['errors']): string {
  return replaceTable(readme, ERRORS_HEADER, describeErrors(errors));
}

const rendered = (readme: string, docs: ServiceDocs): string => withErrorsTable(withTable(readme, docs.config), docs.errors);
const readmeOf = (name: string): string => path.join(repo, 'services', name, 'README.md');

export function staleReadmes(): string[] {
  return Object.entries(SERVICES)
    .filter(([name, docs]) => {
      const text = readFileSync(readmeOf(name), 'utf8');
      return rendered(text, docs) !== text;
    })
    .map(([name]) => `services/${name}/README.md`);
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const stale = staleReadmes();
    if (stale.length) {
      process.stderr.write(`configuration or error tables out of date (npx tsx scripts/configDocs.ts): ${stale.join(', ')}\n`);
      process.exit(1);
    }
  } else {
    for (const [name, docs] of Object.entries(SERVICES)) writeFileSync(readmeOf(name), rendered(readFileSync(readmeOf(name), 'utf8'), docs));
  }
}
