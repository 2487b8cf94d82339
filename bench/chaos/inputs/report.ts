// The pure part of `npm run chaos:inputs`: what was observed for a case, whether that is the
// right answer, and the run's summary (printed as a table and one JSON object last).
import type { HttpCase, KafkaCase } from './cases';

export interface Outcome {
  id: string;
  entry: string;
  title: string;
  expected: string;
  observed: string;
  ok: boolean;
}

/** A dead letter as read back from the dead-letter topic. */
export interface SeenDeadLetter {
  errorCode: string;
  reason: string;
  /** Size of the dead-letter record on the wire. */
  recordBytes: number;
  headers: Record<string, string>;
}

export interface SeenEvent {
  entities: ReadonlyArray<{ text: string; type: string }>;
}

export interface SeenHttp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const listOf = (xs: readonly string[]) => xs.join('|');

export function judgeKafka(c: KafkaCase, seen: { deadLetters: readonly SeenDeadLetter[]; events: readonly SeenEvent[] }, limits: { maxRecordBytes: number }): Outcome {
  const base = { id: c.id, entry: c.entry, title: c.title };
  const observed = [
    ...seen.deadLetters.map((d) => `dead letter ${d.errorCode} (${d.recordBytes} B${d.headers['x-dlt-truncated'] ? `, cut: ${d.headers['x-dlt-truncated']}, original ${d.headers['x-dlt-original-size']} B` : ''})`),
    ...seen.events.map((e) => `tagged: ${e.entities.length ? e.entities.map((x) => `${x.type}「${x.text}」`).join(' ') : 'no entities'}`),
  ].join('; ') || 'nothing (lost)';
  if ('deadLetter' in c.expect) {
    const expected = `dead letter ${listOf(c.expect.deadLetter)}${c.expect.truncated ? ' cut to fit, with size and sha256' : ''}`;
    const d = seen.deadLetters;
    let ok = d.length === 1 && seen.events.length === 0 && c.expect.deadLetter.includes(d[0].errorCode) && d[0].recordBytes <= limits.maxRecordBytes;
    if (ok && c.expect.truncated) ok = Boolean(d[0].headers['x-dlt-truncated'] && d[0].headers['x-dlt-original-size'] === String(c.value.length) && /^[0-9a-f]{64}$/.test(d[0].headers['x-dlt-original-sha256'] ?? ''));
    return { ...base, expected, observed, ok };
  }
  const bad = c.expect.noEntity;
  const expected = `one entity event${bad ? ` with no entity matching ${bad}` : ''}`;
  const ok = seen.deadLetters.length === 0 && seen.events.length === 1 && (!bad || seen.events[0].entities.every((e) => !bad.test(e.text)));
  return { ...base, expected, observed, ok };
}

function errorCodeOf(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof j.error?.code === 'string' ? j.error.code : undefined;
  } catch {
    return undefined;
  }
}

function entitiesOf(body: string): Array<{ text: string; type: string }> {
  try {
    const j = JSON.parse(body) as { entities?: Array<{ text: string; type: string }>; results?: Array<{ entities: Array<{ text: string; type: string }> }> };
    return j.results ? j.results.flatMap((r) => r.entities) : (j.entities ?? []);
  } catch {
    return [];
  }
}

export function judgeHttp(c: HttpCase, r: SeenHttp): Outcome {
  const e = c.expect;
  const code = errorCodeOf(r.body);
  const ents = r.status === 200 && e.noEntity ? entitiesOf(r.body) : [];
  const missingHeaders = (e.headers ?? []).filter((h) => r.headers[h] === undefined);
  const leak = e.bodyNot?.exec(r.body)?.[0];
  const expected = [`${listOf(e.status.map(String))}${e.code ? ` ${listOf(e.code)}` : ''}`, e.noEntity ? `no entity matching ${e.noEntity}` : '', e.headers ? `headers ${e.headers.join(', ')}` : '', e.bodyNot ? 'no path or SQL in the body' : ''].filter(Boolean).join(', ');
  const observed = [
    `${r.status}${code ? ` ${code}` : ''}`,
    ents.length ? `entities ${ents.map((x) => `${x.type}「${x.text}」`).join(' ')}` : '',
    missingHeaders.length ? `missing ${missingHeaders.join(', ')}` : '',
    leak ? `body leaks ${JSON.stringify(leak)}` : '',
    r.status >= 500 ? r.body.slice(0, 200) : '',
  ].filter(Boolean).join(', ');
  const ok =
    e.status.includes(r.status) &&
    (!e.code || (code !== undefined && e.code.includes(code))) &&
    (!e.noEntity || ents.every((x) => !e.noEntity!.test(x.text))) &&
    missingHeaders.length === 0 &&
    leak === undefined;
  return { id: c.id, entry: c.entry, title: c.title, expected, observed, ok };
}

export interface Summary {
  cases: number;
  handled: number;
  mishandled: Array<{ id: string; expected: string; observed: string }>;
  /** services that stopped answering /healthz during the run */
  crashes: number;
  /** valid documents interleaved with the cases that never got an entity event */
  lost: number;
  /** valid documents with more than one entity event */
  duplicates: number;
}

/** The run's figures; `valid` maps every valid document sent to the entity events seen for it. */
export function summarise(outcomes: readonly Outcome[], valid: ReadonlyMap<string, number>, crashed: readonly string[]): Summary {
  const mishandled = outcomes.filter((o) => !o.ok).map(({ id, expected, observed }) => ({ id, expected, observed }));
  return {
    cases: outcomes.length,
    handled: outcomes.length - mishandled.length,
    mishandled,
    crashes: crashed.length,
    lost: [...valid.values()].filter((n) => n === 0).length,
    duplicates: [...valid.values()].filter((n) => n > 1).length,
  };
}

/** A fixed-width table of the outcomes (one row per case). */
export function table(outcomes: readonly Outcome[]): string {
  const rows = outcomes.map((o) => [o.ok ? 'ok' : 'FAIL', o.entry, o.id, o.observed.length > 90 ? `${o.observed.slice(0, 87)}...` : o.observed]);
  const head = ['', 'entry', 'case', 'observed'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
