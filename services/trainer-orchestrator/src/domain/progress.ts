// The trainer's machine lines (zhner_trainer, see trainer/README.md):
//   stdout  PROGRESS {"epoch":1,"step":1340,"loss":2.1,"dev":{"precision":..,"recall":..,"f1":..},"elapsed_s":81.2,"best_f1":..}
//   stdout  RESULT {"out_dir":..,"version":..,"best_epoch":..,"dev":{..},"extra_dev":{..},"elapsed_s":..}
//   stderr  ERROR {"code":..,"message":..,...}
// Anything else is a log line. Scores are fractions in 0..1.

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

export interface TrainingProgress {
  epoch: number;
  step: number;
  loss: number;
  dev: Prf;
  elapsedS: number;
  bestF1: number;
}

export interface TrainerResult {
  outDir: string;
  /** Exported model version; null when the run did not export (export.onnx = false). */
  version: string | null;
  bestEpoch: number | null;
  dev: Prf | null;
  elapsedS: number | null;
  /** The whole RESULT payload as printed. */
  raw: Record<string, unknown>;
}

export interface TrainerErrorInfo {
  code: string;
  message: string;
  raw: Record<string, unknown>;
}

export type TrainerLine =
  | { kind: 'progress'; progress: TrainingProgress }
  | { kind: 'result'; result: TrainerResult }
  | { kind: 'error'; error: TrainerErrorInfo }
  /** A PROGRESS/RESULT/ERROR line whose payload could not be read. */
  | { kind: 'malformed'; line: string; reason: string }
  | { kind: 'log'; line: string };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function prf(v: unknown): Prf | null {
  const o = v as Record<string, unknown> | null | undefined;
  if (!o || typeof o !== 'object') return null;
  const p = num(o.precision);
  const r = num(o.recall);
  const f = num(o.f1);
  return p === undefined || r === undefined || f === undefined ? null : { precision: p, recall: r, f1: f };
}

function payload(line: string, tag: string): Record<string, unknown> | string {
  try {
    const v = JSON.parse(line.slice(tag.length + 1)) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : 'payload is not a JSON object';
  } catch (err) {
    return `payload is not JSON: ${(err as Error).message}`;
  }
}

/** Classifies one output line of the trainer. Never throws. */
export function parseTrainerLine(rawLine: string): TrainerLine {
  const line = rawLine.replace(/\r$/, '');
  for (const tag of ['PROGRESS', 'RESULT', 'ERROR'] as const) {
    if (!line.startsWith(`${tag} `)) continue;
    const p = payload(line, tag);
    if (typeof p === 'string') return { kind: 'malformed', line, reason: p };
    if (tag === 'PROGRESS') {
      const dev = prf(p.dev);
      const epoch = num(p.epoch);
      const loss = num(p.loss);
      if (!dev || epoch === undefined || loss === undefined) return { kind: 'malformed', line, reason: 'PROGRESS needs epoch, loss and dev.{precision,recall,f1}' };
      return { kind: 'progress', progress: { epoch, step: num(p.step) ?? 0, loss, dev, elapsedS: num(p.elapsed_s) ?? 0, bestF1: num(p.best_f1) ?? dev.f1 } };
    }
    if (tag === 'RESULT') {
      if (typeof p.out_dir !== 'string') return { kind: 'malformed', line, reason: 'RESULT needs out_dir' };
      return {
        kind: 'result',
        result: {
          outDir: p.out_dir,
          version: typeof p.version === 'string' ? p.version : null,
          bestEpoch: num(p.best_epoch) ?? null,
          dev: prf(p.dev),
          elapsedS: num(p.elapsed_s) ?? null,
          raw: p,
        },
      };
    }
    return { kind: 'error', error: { code: typeof p.code === 'string' ? p.code : 'E_TRAINER', message: typeof p.message === 'string' ? p.message : JSON.stringify(p), raw: p } };
  }
  return { kind: 'log', line };
}

/**
 * Splits a byte stream into lines (the last, unterminated piece is kept until more arrives or
 * `end()` is called). UTF-8 safe: decoding happens on whole chunks with a streaming decoder.
 */
export class LineSplitter {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array | string): void {
    this.rest += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, i);
      this.rest = this.rest.slice(i + 1);
      this.onLine(line);
    }
  }

  end(): void {
    this.rest += this.decoder.decode();
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}
