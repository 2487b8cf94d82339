// The fixed CLUENER splits of the default model and the active-learning simulation, written as id
// files (ids only, no text) into services/trainer-orchestrator/trainer/splits/:
//
//   npx tsx bench/sim/splits.ts [--pool ../shared/data/cluener/train.jsonl] [--check]
//
//   cluener-dev.ids       1,000 sentences = holdOut(pool, 1000, seed 0, textHash): exactly the hold-out
//                         the simulation has always used (--eval-holdout 1000 --holdout-seed 0). The
//                         default model is selected on it and never trained on it.
//   cluener-al-pool.ids   2,000 of the rest = holdOut(rest, 2000, seed 1, textHash): kept out of the
//                         default model's training so that the simulation has a pool of sentences the
//                         base model has never seen.
//   Each file also lists, after a "# same text as a listed sentence" line, the other sentences whose
//   dedup text equals a listed one's (they are excluded from training as well).
// --check recomputes both and exits 1 when the committed files differ (the splits are a function
// of the pool file and the seeds only).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { textHash } from '@zhner/core';
import { readCorpusFile, resolveRepoPath, type CorpusExample } from '@zhner/trainer-orchestrator';
import { holdOut } from './domain/pool';

export const SPLITS_DIR = 'services/trainer-orchestrator/trainer/splits';
export const CLUENER_DEV = { file: 'cluener-dev.ids', n: 1000, seed: 0 } as const;
export const CLUENER_AL_POOL = { file: 'cluener-al-pool.ids', n: 2000, seed: 1 } as const;

function render(title: string, rule: string, listed: readonly CorpusExample[], sameText: readonly CorpusExample[], poolName: string): string {
  return [
    `# ${title}`,
    `# ${rule}`,
    `# pool ${poolName}; ids only (no text); written by npx tsx bench/sim/splits.ts`,
    ...listed.map((e) => e.id),
    '# same text as a listed sentence (dedup text hash): excluded from training too',
    ...sameText.map((e) => e.id),
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { pool: { type: 'string', default: '../shared/data/cluener/train.jsonl' }, check: { type: 'boolean', default: false } } });
  const pool = await readCorpusFile(resolveRepoPath(values.pool!));
  const key = (e: CorpusExample) => textHash(e.text);
  const dev = holdOut(pool, CLUENER_DEV.n, CLUENER_DEV.seed, key);
  const devKeys = new Set(dev.heldOut.map(key));
  const devSame = pool.filter((e) => devKeys.has(key(e)) && !dev.heldOut.includes(e));
  const al = holdOut(dev.rest, CLUENER_AL_POOL.n, CLUENER_AL_POOL.seed, key);
  const alKeys = new Set(al.heldOut.map(key));
  const alSame = dev.rest.filter((e) => alKeys.has(key(e)) && !al.heldOut.includes(e));
  const name = path.basename(path.dirname(values.pool!)) + '/' + path.basename(values.pool!);
  const files: [string, string][] = [
    [CLUENER_DEV.file, render('CLUENER dev split of the default model = the simulation\'s evaluation hold-out',
      `holdOut(pool, ${CLUENER_DEV.n}, seed ${CLUENER_DEV.seed}, textHash) of bench/sim/domain/pool.ts`, dev.heldOut, devSame, name)],
    [CLUENER_AL_POOL.file, render('CLUENER sentences kept out of the default model\'s training: the simulation\'s unseen pool',
      `holdOut(rest after ${CLUENER_DEV.file}, ${CLUENER_AL_POOL.n}, seed ${CLUENER_AL_POOL.seed}, textHash)`, al.heldOut, alSame, name)],
  ];
  let differ = 0;
  for (const [file, text] of files) {
    const target = resolveRepoPath(path.join(SPLITS_DIR, file));
    if (values.check) {
      const old = await readFile(target, 'utf8').catch(() => '');
      if (old !== text) {
        differ++;
        process.stderr.write(`${file}: differs from the recomputed split\n`);
      }
    } else await writeFile(target, text, 'utf8');
    process.stdout.write(`${values.check ? 'checked' : 'wrote'} ${target}\n`);
  }
  process.stdout.write(`dev ${dev.heldOut.length} (+${devSame.length} same text), al pool ${al.heldOut.length} (+${alSame.length} same text), pool ${pool.length}\n`);
  return differ ? 1 : 0;
}

main().then((c) => process.exit(c), (err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
