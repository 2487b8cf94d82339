import { CataloguedError, CataloguedValidationError, defineErrors, describeErrors, fillTemplate, isCatalogued } from './catalogue';
import { PlatformError, ValidationError, isRetriable } from './errors';

const errors = defineErrors('demo', {
  ROLLOUT_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'rollout {rolloutId} not found' },
  RUN_IN_PROGRESS: { code: 'CONFLICT', status: 409, message: 'run {runId} of {model} is active', doc: 'wait for it' },
  BUSY: { status: 429, message: 'queue full', retriable: true },
  INTERNAL_THING: { message: 'it broke: {why}' },
  TOO_MANY: { status: 400, validation: true, message: 'texts holds {count} items; at most {limit}' },
});

describe('defineErrors', () => {
  it('fills the template from the params, which become the context', () => {
    const err = errors.create('RUN_IN_PROGRESS', { runId: 'r-1', model: 'v2', reason: 'run_in_progress' });
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toBeInstanceOf(CataloguedError);
    expect(err.message).toBe('run r-1 of v2 is active');
    expect(err.context).toEqual({ runId: 'r-1', model: 'v2', reason: 'run_in_progress' });
    expect(err.service).toBe('demo');
    expect(err.entry).toBe('RUN_IN_PROGRESS');
  });

  it('answers the published code (the name by default) and the status of its entry', () => {
    expect(errors.create('ROLLOUT_NOT_FOUND', { rolloutId: 'x' })).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(errors.create('BUSY')).toMatchObject({ code: 'BUSY', status: 429 });
    expect(errors.create('INTERNAL_THING', { why: 'disk' }).status).toBeUndefined();
  });

  it('takes retriable from the entry (default false)', () => {
    expect(errors.create('BUSY').retriable).toBe(true);
    expect(isRetriable(errors.create('BUSY'))).toBe(true);
    expect(errors.create('INTERNAL_THING', { why: 'disk' }).retriable).toBe(false);
  });

  it('formats values: strings as they are, numbers, arrays joined, JSON for the rest; a missing param stays {name}', () => {
    expect(fillTemplate('{a}|{b}|{c}|{d}|{e}|{f}|{missing}', { a: 'x', b: 3, c: true, d: null, e: ['p', 2], f: [{ k: 1 }] })).toBe('x|3|true|null|p, 2|{"k":1}|{missing}');
    expect(fillTemplate('send {"modelVersion": "v1"} or {x}', { x: 1 })).toBe('send {"modelVersion": "v1"} or 1');
    // untyped callers (the types require every placeholder) still get a message that shows the slip
    const loose = errors as unknown as { create(name: string, params?: object): PlatformError };
    expect(loose.create('ROLLOUT_NOT_FOUND', {}).message).toBe('rollout {rolloutId} not found');
  });

  it('keeps the cause', () => {
    const cause = new Error('ENOENT');
    expect(errors.create('INTERNAL_THING', { why: 'disk' }, { cause }).cause).toBe(cause);
  });

  it('makes a ValidationError (field from params.field) for validation entries', () => {
    const err = errors.create('TOO_MANY', { field: 'texts', count: 9, limit: 4 });
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toBeInstanceOf(CataloguedValidationError);
    expect(err).toMatchObject({ code: 'TOO_MANY', status: 400, field: 'texts', retriable: false, message: 'texts holds 9 items; at most 4' });
    expect(err.context).toEqual({ field: 'texts', count: 9, limit: 4 });
  });

  it('is(): only errors of that entry of this catalogue', () => {
    const other = defineErrors('other', { BUSY: { status: 429, message: 'queue full' } });
    const busy = errors.create('BUSY');
    expect(errors.is(busy, 'BUSY')).toBe(true);
    expect(errors.is(busy, 'ROLLOUT_NOT_FOUND')).toBe(false);
    expect(other.is(busy, 'BUSY')).toBe(false);
    expect(errors.is(new PlatformError('BUSY', 'queue full'), 'BUSY')).toBe(false);
    expect(errors.is(errors.create('TOO_MANY', { count: 1, limit: 0 }), 'TOO_MANY')).toBe(true);
    expect(errors.is('BUSY', 'BUSY')).toBe(false);
    expect(errors.is(busy) && !other.is(busy) && !errors.is(new PlatformError('BUSY', 'queue full'))).toBe(true);
    expect(isCatalogued(busy) && isCatalogued(errors.create('TOO_MANY', { count: 1, limit: 0 }))).toBe(true);
  });

  it('lists its entries for the docs, in order', () => {
    expect(errors.entries().map((e) => [e.name, e.code, e.status, e.retriable, e.validation])).toEqual([
      ['ROLLOUT_NOT_FOUND', 'NOT_FOUND', 404, false, false],
      ['RUN_IN_PROGRESS', 'CONFLICT', 409, false, false],
      ['BUSY', 'BUSY', 429, true, false],
      ['INTERNAL_THING', 'INTERNAL_THING', undefined, false, false],
      ['TOO_MANY', 'TOO_MANY', 400, false, true],
    ]);
    expect(errors.entries()[1]).toMatchObject({ message: 'run {runId} of {model} is active', doc: 'wait for it' });
  });

  it('describes itself as a Markdown table for the READMEs', () => {
    const docs = defineErrors('demo', {
      A: { code: 'CONFLICT', status: 409, message: 'run {id} | busy', doc: 'one at a time' },
      B: { retriable: true, message: 'send "Bearer <token>"', doc: 'a <type> tag' },
    });
    expect(describeErrors(docs)).toBe(
      ['| code | status | message |', '| --- | --- | --- |', '| `CONFLICT` | 409 | `run {id} \\| busy` — one at a time |', '| `B` | – (retriable) | `send "Bearer <token>"` — a &lt;type> tag |'].join('\n'),
    );
  });

  it('is typed: unknown entries and missing params do not compile', () => {
    // @ts-expect-error not an entry of this catalogue
    expect(() => errors.create('NO_SUCH_CODE')).toThrow(TypeError);
    // @ts-expect-error the template needs {rolloutId}
    expect(errors.create('ROLLOUT_NOT_FOUND', {}).message).toBe('rollout {rolloutId} not found');
    // @ts-expect-error the template has placeholders: params are required
    expect(errors.create('INTERNAL_THING').message).toBe('it broke: {why}');
    // @ts-expect-error is() takes only this catalogue's names
    expect(errors.is(new Error('x'), 'NOPE')).toBe(false);
    const busy: 'BUSY' = errors.create('BUSY').entry;
    expect(busy).toBe('BUSY');
  });
});
