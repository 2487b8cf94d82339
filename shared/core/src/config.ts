// Configuration from environment variables: each service declares one spec, `loadConfig` checks
// every variable, reports ALL problems at once (naming each variable, its bad value and what is
// expected) and returns a typed, frozen object. Durations become milliseconds.
import { ConfigError } from './errors';

export interface FieldSpec<T> {
  readonly variable: string;
  readonly doc: string;
  readonly defaultText: string | undefined;
  parse(raw: string | undefined): { ok: true; value: T } | { ok: false; problem: string };
}

interface Common<T> {
  /** Used when the variable is unset or empty. Without a default the variable is required. */
  default?: T;
  doc?: string;
  /** How the default is documented when it depends on the machine (e.g. `hostname-pid`). */
  defaultDoc?: string;
}

function field<T>(variable: string, opts: Common<T>, convert: (raw: string) => T | string, show: (v: T) => string): FieldSpec<T> {
  return {
    variable,
    doc: opts.doc ?? '',
    defaultText: opts.default === undefined ? undefined : (opts.defaultDoc ?? show(opts.default)),
    parse(raw) {
      if (raw === undefined || raw.trim() === '') {
        if (opts.default !== undefined) return { ok: true, value: opts.default };
        return { ok: false, problem: `${variable} is required${opts.doc ? ` (${opts.doc})` : ''}` };
      }
      const out = convert(raw.trim());
      if (typeof out === 'string' && out.startsWith('\u0000')) return { ok: false, problem: `${variable}=${JSON.stringify(raw)}: ${out.slice(1)}` };
      return { ok: true, value: out as T };
    },
  };
}

const bad = (why: string) => `\u0000${why}`;

function optionalField<T>(spec: FieldSpec<T>): FieldSpec<T | undefined> {
  return {
    variable: spec.variable,
    doc: spec.doc,
    defaultText: '(unset)',
    parse(raw) {
      if (raw === undefined || raw.trim() === '') return { ok: true, value: undefined };
      return spec.parse(raw);
    },
  };
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `250ms`, `5s`, `2m`, `1h` or a bare number of milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']);
}

export const env = {
  string(variable: string, opts: Common<string> & { pattern?: RegExp } = {}): FieldSpec<string> {
    return field(variable, opts, (raw) => (opts.pattern && !opts.pattern.test(raw) ? bad(`must match ${opts.pattern}`) : raw), (v) => v);
  },
  int(variable: string, opts: Common<number> & { min?: number; max?: number } = {}): FieldSpec<number> {
    return field(
      variable,
      opts,
      (raw) => {
        if (!/^-?\d+$/.test(raw)) return bad('must be an integer');
        const n = Number(raw);
        if (opts.min !== undefined && n < opts.min) return bad(`must be >= ${opts.min}`);
        if (opts.max !== undefined && n > opts.max) return bad(`must be <= ${opts.max}`);
        return n as number | string;
      },
      String,
    ) as FieldSpec<number>;
  },
  number(variable: string, opts: Common<number> & { min?: number; max?: number } = {}): FieldSpec<number> {
    return field(
      variable,
      opts,
      (raw) => {
        const n = Number(raw);
        if (!Number.isFinite(n)) return bad('must be a number');
        if (opts.min !== undefined && n < opts.min) return bad(`must be >= ${opts.min}`);
        if (opts.max !== undefined && n > opts.max) return bad(`must be <= ${opts.max}`);
        return n as number | string;
      },
      String,
    ) as FieldSpec<number>;
  },
  bool(variable: string, opts: Common<boolean> = {}): FieldSpec<boolean> {
    return field(
      variable,
      opts,
      (raw) => {
        const v = raw.toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(v)) return true as boolean | string;
        if (['0', 'false', 'no', 'off'].includes(v)) return false;
        return bad('must be true/false (also 1/0, yes/no, on/off)');
      },
      String,
    ) as FieldSpec<boolean>;
  },
  /** A duration such as `5ms`, `30s`, `10m`; the value is in milliseconds. */
  durationMs(variable: string, opts: { default?: string; doc?: string; min?: number } = {}): FieldSpec<number> {
    const def = opts.default === undefined ? undefined : parseDurationMs(opts.default);
    return field(
      variable,
      // documented as written (`30s`), not as milliseconds
      { default: def, doc: opts.doc, defaultDoc: opts.default },
      (raw) => {
        const ms = parseDurationMs(raw);
        if (ms === undefined) return bad('must be a duration like 250ms, 5s, 2m, 1h');
        if (opts.min !== undefined && ms < opts.min) return bad(`must be >= ${opts.min}ms`);
        return ms as number | string;
      },
      (ms) => `${ms}ms`,
    ) as FieldSpec<number>;
  },
  oneOf<const T extends string>(variable: string, choices: readonly T[], opts: Common<T> = {}): FieldSpec<T> {
    return field(variable, opts, (raw) => ((choices as readonly string[]).includes(raw) ? (raw as T) : bad(`must be one of ${choices.join(', ')}`)), (v) => v);
  },
  /** Comma-separated list; empty items are dropped. */
  list(variable: string, opts: Common<string[]> = {}): FieldSpec<string[]> {
    return field(
      variable,
      opts,
      (raw) => {
        const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
        return items.length === 0 ? bad('must list at least one item') : (items as string[] | string);
      },
      (v) => v.join(','),
    ) as FieldSpec<string[]>;
  },
  url(variable: string, opts: Common<string> & { protocols?: string[] } = {}): FieldSpec<string> {
    return field(
      variable,
      opts,
      (raw) => {
        try {
          const u = new URL(raw);
          if (opts.protocols && !opts.protocols.includes(u.protocol.replace(/:$/, ''))) return bad(`protocol must be one of ${opts.protocols.join(', ')}`);
          return raw;
        } catch {
          return bad('must be a URL');
        }
      },
      (v) => v.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@'),
    );
  },
  optional<T>(spec: FieldSpec<T>): FieldSpec<T | undefined> {
    return optionalField(spec);
  },
};

export type ConfigSpec = Record<string, FieldSpec<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends FieldSpec<infer T> ? T : never };

/** Checks every variable of `spec` against `source`; throws ConfigError listing all problems. */
export function loadConfig<S extends ConfigSpec>(spec: S, source: Record<string, string | undefined> = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(spec)) {
    const r = f.parse(source[f.variable]);
    if (r.ok) out[key] = r.value;
    else problems.push(r.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as ConfigOf<S>;
}

/** Markdown table of a spec's variables, defaults and docs (for the README's configuration section). */
export function describeConfig(spec: ConfigSpec): string {
  const rows = Object.values(spec).map((f) => `| \`${f.variable}\` | ${f.defaultText === undefined ? '**required**' : `\`${f.defaultText}\``} | ${f.doc} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
