import { staleReadmes, withTable } from './configDocs';
import { env } from '@zhner/core';

describe('configuration tables in the READMEs', () => {
  it('match the services\' config schemas (regenerate: npx tsx scripts/configDocs.ts)', () => {
    expect(staleReadmes()).toEqual([]);
  });

  it('replace exactly the table', () => {
    const spec = { a: env.int('A_VAR', { default: 3, doc: 'an a' }) };
    expect(withTable('# x\n\n| variable | default | meaning |\n| --- | --- | --- |\n| old | row | here |\n\nafter\n', spec)).toBe('# x\n\n| variable | default | meaning |\n| --- | --- | --- |\n| `A_VAR` | `3` | an a |\n\nafter\n');
  });
});
