// One error catalogue per service (in the manner of @fastify/error): every error a service raises
// is an entry with its published code, HTTP status, message template and retriability, so the
// codes are listed in one place, documented from it (scripts/configDocs.ts) and cannot drift.
//
//   export const errors = defineErrors('reloader', {
//     ROLLOUT_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'rollout {rolloutId} not found' },
//   });
//   throw errors.create('ROLLOUT_NOT_FOUND', { rolloutId });
//
// Templates: `{name}` is replaced by params.name — a string as it is, a number or boolean by
// String(), an array by its items so formatted and joined with ", ", anything else (null, an
// object) by JSON.stringify; a placeholder whose param is absent (or undefined) stays as the
// literal `{name}`, so a slip shows in the message instead of hiding.
// The params are the error's `context` (what logs, dead letters and a 400's `details` carry), and
// `params.field`, when a string, is its `field` (kit names it in the error body).
import { PlatformError, ValidationError, type ErrorContext } from './errors';

/** One entry of a catalogue. */
export interface ErrorSpec {
  /**
   * The published code when it differs from the entry's name: several entries may answer one
   * code (three reasons a run cannot start are all `CONFLICT`). Default: the entry's name.
   */
  readonly code?: string;
  /** The HTTP status it answers with (kit's httpStatusOf reads it). None: an internal error (500, 503 when retriable). */
  readonly status?: number;
  /** The message, `{param}` placeholders filled from create()'s params. */
  readonly message: string;
  /** Whether another attempt may succeed (the platform's isRetriable). Default false. */
  readonly retriable?: boolean;
  /**
   * Input that can never succeed: create() gives a ValidationError, so every `instanceof
   * ValidationError` (dead-lettering, kit's 400 body with `field` and `details`) treats it as one.
   */
  readonly validation?: boolean;
  /** One line for the docs table (what happened, what to do). */
  readonly doc?: string;
}

export type ErrorSpecs = Readonly<Record<string, ErrorSpec>>;

type ContextValue = ErrorContext[string];

/** The `{name}` placeholders of a template (text in braces with a space, quote or colon is not one: JSON examples). */
export type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? (P extends '' | `${string}${' ' | '"' | ':' | '{'}${string}` ? never : P) | Placeholders<Rest>
  : never;

/** The params of a template: every placeholder, plus any other context worth keeping. */
export type ParamsOf<M extends string> = { readonly [K in Placeholders<M>]: ContextValue } & ErrorContext;

export interface CreateOptions {
  cause?: unknown;
}

type ArgsOf<M extends string> = [Placeholders<M>] extends [never] ? [params?: ErrorContext, opts?: CreateOptions] : [params: ParamsOf<M>, opts?: CreateOptions];

/** What every catalogued error carries besides PlatformError's fields. */
export interface Catalogued<E extends string = string> {
  /** The service whose catalogue raised it. */
  readonly service: string;
  /** The catalogue entry (the code, unless the entry answers a shared code). */
  readonly entry: E;
  readonly field: string | undefined;
}

/** An error made by a catalogue. */
export class CataloguedError<E extends string = string> extends PlatformError implements Catalogued<E> {
  readonly service: string;
  readonly entry: E;
  readonly field: string | undefined;
  constructor(service: string, entry: E, code: string, message: string, opts: { status?: number; retriable?: boolean; context: ErrorContext; cause?: unknown }) {
    super(code, message, opts);
    this.service = service;
    this.entry = entry;
    this.field = typeof opts.context.field === 'string' ? opts.context.field : undefined;
  }
}

/** An error made by a catalogue entry marked `validation`: a ValidationError too. */
export class CataloguedValidationError<E extends string = string> extends ValidationError implements Catalogued<E> {
  readonly service: string;
  readonly entry: E;
  constructor(service: string, entry: E, code: string, message: string, opts: { status?: number; context: ErrorContext; cause?: unknown }) {
    super(message, { code, status: opts.status, field: typeof opts.context.field === 'string' ? opts.context.field : undefined, context: opts.context, cause: opts.cause });
    this.service = service;
    this.entry = entry;
  }
}

/** The error a catalogue entry creates: a ValidationError for `validation` entries. */
export type ErrorOf<S extends ErrorSpecs, E extends keyof S & string> = E extends unknown ? (S[E] extends { readonly validation: true } ? CataloguedValidationError<E> : CataloguedError<E>) : never;

/** A catalogue's entry as the docs show it. */
export interface CatalogueEntry {
  readonly name: string;
  readonly code: string;
  readonly status: number | undefined;
  readonly message: string;
  readonly retriable: boolean;
  readonly validation: boolean;
  readonly doc: string | undefined;
}

export interface ErrorCatalogue<S extends ErrorSpecs> {
  readonly service: string;
  /** The error of entry `name`, its message filled from `params` (which become its context). */
  create<E extends keyof S & string>(name: E, ...args: ArgsOf<S[E]['message']>): ErrorOf<S, E>;
  /** Whether `err` was created by this catalogue's entry `name` (without a name: by any of its entries). */
  is<E extends keyof S & string = keyof S & string>(err: unknown, name?: E): err is ErrorOf<S, E>;
  /** Every entry, in declaration order (for the READMEs' error tables). */
  entries(): CatalogueEntry[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `template` with its `{name}` placeholders filled from `params` (see the rules at the top). */
export function fillTemplate(template: string, params: ErrorContext): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    return v === undefined ? whole : formatValue(v);
  });
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return JSON.stringify(v) ?? String(v);
}

/**
 * A service's error catalogue. `const` keeps the templates literal, so that create() demands the
 * params each template names and an unknown entry is a type error.
 */
export function defineErrors<const S extends ErrorSpecs>(service: string, specs: S): ErrorCatalogue<S> {
  const byName = new Map(Object.entries(specs));
  return {
    service,
    create<E extends keyof S & string>(name: E, ...args: ArgsOf<S[E]['message']>): ErrorOf<S, E> {
      const spec = byName.get(name);
      // reachable only from untyped callers: the type allows only the catalogue's names
      if (!spec) throw new TypeError(`${service} has no error ${JSON.stringify(name)}`);
      const [given = {}, opts = {}] = args as [ErrorContext?, CreateOptions?];
      const params: ErrorContext = { ...given }; // the error's own copy: a caller may reuse its object
      const code = spec.code ?? name;
      const message = fillTemplate(spec.message, params);
      const err = spec.validation
        ? new CataloguedValidationError(service, name, code, message, { status: spec.status, context: params, cause: opts.cause })
        : new CataloguedError(service, name, code, message, { status: spec.status, retriable: spec.retriable, context: params, cause: opts.cause });
      return err as ErrorOf<S, E>;
    },
    is<E extends keyof S & string = keyof S & string>(err: unknown, name?: E): err is ErrorOf<S, E> {
      return isCatalogued(err) && err.service === service && (name === undefined || err.entry === name);
    },
    entries(): CatalogueEntry[] {
      return [...byName].map(([name, s]) => ({ name, code: s.code ?? name, status: s.status, message: s.message, retriable: s.retriable ?? false, validation: s.validation ?? false, doc: s.doc }));
    },
  };
}

/** Whether `err` came from any catalogue (any service). */
export function isCatalogued(err: unknown): err is PlatformError & Catalogued {
  return err instanceof CataloguedError || err instanceof CataloguedValidationError;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => (text.includes('`') ? `\`\` ${cell(text)} \`\`` : `\`${cell(text)}\``);

/**
 * A catalogue as a Markdown table (`| code | status | message |`), for a README: the message as its
 * template, then the entry's doc; `–` for an entry with no status of its own (an internal failure:
 * a 500, or a 503 when retriable, should it reach a route).
 */
export function describeErrors(catalogue: { entries(): CatalogueEntry[] }): string {
  const rows = catalogue.entries().map((e) => {
    const status = `${e.status ?? '–'}${e.retriable ? ' (retriable)' : ''}`;
    // the doc is prose: `<` would open an HTML tag in the rendered README
    const doc = e.doc ? ` — ${cell(e.doc).replace(/</g, '&lt;')}` : '';
    return `| \`${e.code}\` | ${status} | ${code(e.message)}${doc} |`;
  });
  return ['| code | status | message |', '| --- | --- | --- |', ...rows].join('\n');
}
