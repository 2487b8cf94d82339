// The dependency rules bite: each rule of .dependency-cruiser.cjs is shown one planted violation (a
// file written into the real tree for the duration of the check, so the real paths and resolution
// apply) and must report it; a clean file next to it must pass.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(120_000);

const repo = path.resolve(__dirname, '..');
const tag = `__planted_${process.pid}_${Date.now().toString(36)}`;

interface Plant {
  rule: string;
  file: string;
  source: string;
}

const PLANTS: Plant[] = [
  { rule: 'no-service-to-service', file: `services/sampler/src/app/${tag}.ts`, source: "import { configSpec } from '@zhner/tagger';\nexport const x = configSpec;\n" },
  { rule: 'domain-is-pure', file: `services/tagger/src/domain/${tag}.ts`, source: "import { createLogger } from '@zhner/kit';\nexport const x = createLogger;\n" },
  { rule: 'domain-is-pure', file: `services/studio/src/domain/${tag}_adapter.ts`, source: "import { SqlQueueRepository } from '../adapters/sql/queueRepository';\nexport const x = SqlQueueRepository;\n" },
  { rule: 'core-has-no-dependencies', file: `shared/core/src/${tag}.ts`, source: "import pino from 'pino';\nexport const x = pino;\n" },
  { rule: 'contracts-and-model-on-core-only', file: `shared/contracts/src/${tag}.ts`, source: "import { createLogger } from '@zhner/kit';\nexport const x = createLogger;\n" },
  { rule: 'web-imports-contract-types-only', file: `services/studio/web/src/${tag}.ts`, source: "import { createTopics } from '@zhner/contracts';\nexport const x = createTopics;\n" },
  { rule: 'web-imports-no-server-code', file: `services/studio/web/src/${tag}_server.ts`, source: "import type { StudioConfig } from '@zhner/studio';\nexport type X = StudioConfig;\n" },
  { rule: 'package-through-its-index', file: `test/${tag}.ts`, source: "import { retry } from '../shared/core/src/retry';\nexport const x = retry;\n" },
  { rule: 'no-circular', file: `shared/core/src/${tag}_a.ts`, source: `import { b } from './${tag}_b';\nexport const a = (): number => b() + 1;\n` },
];
const EXTRA = [{ file: `shared/core/src/${tag}_b.ts`, source: `import { a } from './${tag}_a';\nexport const b = (): number => (a ? 1 : 0);\n` }];
const CLEAN = { file: `services/tagger/src/domain/${tag}_clean.ts`, source: "import { ValidationError } from '@zhner/core';\nimport type { Entity } from '@zhner/contracts';\nimport { createHash } from 'node:crypto';\nimport { errors } from '../errors';\nexport const x = [ValidationError, createHash, errors];\nexport type E = Entity;\n" };

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(files: string[]): Violation[] {
  const r = spawnSync(path.join(repo, 'node_modules', '.bin', 'depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...files], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!r.stdout) throw new Error(`depcruise printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the dependency rules (.dependency-cruiser.cjs)', () => {
  const written: string[] = [];
  beforeAll(() => {
    for (const p of [...PLANTS, ...EXTRA, CLEAN]) {
      const abs = path.join(repo, p.file);
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, p.source);
      written.push(abs);
    }
  });
  afterAll(() => {
    for (const f of written) rmSync(f, { force: true });
  });

  it('report every planted violation under its rule, and nothing for a clean domain module', () => {
    const violations = cruise([...PLANTS, ...EXTRA, CLEAN].map((p) => p.file));
    for (const p of PLANTS) {
      const found = violations.filter((v) => v.from === p.file || (p.rule === 'no-circular' && v.from.includes(tag)));
      expect({ file: p.file, rules: [...new Set(found.map((v) => v.rule.name))] }).toEqual({ file: p.file, rules: expect.arrayContaining([p.rule]) });
    }
    expect(violations.filter((v) => v.from === CLEAN.file)).toEqual([]);
  });
});
