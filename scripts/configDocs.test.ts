import { staleReadmes, withErrorsTable, withTable } from './configDocs';
import { defineErrors, env } from '@zhner/core';

describe('configuration and error tables in the READMEs', () => {
  it('match the services\' config schemas and error catalogues (regenerate: npx tsx scripts/configDocs.ts)', () => {
    expect(staleReadmes()).toEqual([]);
  });

  it('replace exactly the table', () => {
    const spec = { a: env.int('A_VAR', { default: 3, doc: 'an a' }) };
    expect(withTable('# x\n\n| variable | default | meaning |\n| --- | --- | --- |\n| old | row | here |\n\nafter\n', spec)).toBe('# x\n\n| variable | default | meaning |\n| --- | --- | --- |\n| `A_VAR` | `3` | an a |\n\nafter\n');
  });

  it('replace exactly the errors table', () => {
    const errors = defineErrors('x', { GONE: { code: 'NOT_FOUND', status: 404, message: 'rollout {id} not found' } });
    expect(withErrorsTable('# x\n\n## Errors\n\n| code | status | message |\n| --- | --- | --- |\n| `OLD` | 500 | old |\n\nafter\n', errors)).toBe(
      '# x\n\n## Errors\n\n| code | status | message |\n| --- | --- | --- |\n| `NOT_FOUND` | 404 | `rollout {id} not found` |\n\nafter\n',
    );
  });
});
