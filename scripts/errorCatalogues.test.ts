// One error catalogue per service (services/<svc>/src/errors.ts, docs/conventions.md "Errors"): no
// service source outside its catalogue makes a PlatformError or ValidationError of its own, so
// every code a service raises is listed (and documented) in one place. Tests may build any error.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SERVICES } from './configDocs';

const repo = path.resolve(__dirname, '..');
const AD_HOC = /\bnew (PlatformError|ValidationError)\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** `file:line: text` of every ad-hoc error construction in `text`. */
export function adHocErrors(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (AD_HOC.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

const services = readdirSync(path.join(repo, 'services'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

describe('one error catalogue per service', () => {
  it('the scan finds an ad-hoc error and passes a catalogued one', () => {
    expect(adHocErrors('x.ts', "const a = 1;\nthrow new PlatformError('OOPS', 'x');\n")).toEqual(["x.ts:2: throw new PlatformError('OOPS', 'x');"]);
    expect(adHocErrors('x.ts', "throw new ValidationError('bad', { field: 'f' });")).toHaveLength(1);
    expect(adHocErrors('x.ts', "throw errors.create('OOPS', { id });\nclass X extends PlatformErrorish {}")).toEqual([]);
  });

  it('every service has src/errors.ts, and its docs table is generated from it (scripts/configDocs.ts)', () => {
    for (const s of services) expect({ s, catalogue: sources(path.join(repo, 'services', s, 'src')).some((f) => f.endsWith(`${path.sep}src${path.sep}errors.ts`)) }).toEqual({ s, catalogue: true });
    expect(Object.keys(SERVICES).sort()).toEqual([...services].sort());
  });

  it('no service source outside errors.ts constructs a PlatformError or ValidationError', () => {
    const found = services.flatMap((s) =>
      sources(path.join(repo, 'services', s, 'src'))
        .filter((f) => path.basename(f) !== 'errors.ts')
        .flatMap((f) => adHocErrors(path.relative(repo, f), readFileSync(f, 'utf8'))),
    );
    expect(found).toEqual([]);
  });
});
