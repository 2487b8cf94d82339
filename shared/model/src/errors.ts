// Errors of the model runtime: PlatformErrors (@zhner/core), so every caller (the tagger, the
// evaluator, the bus runner's retry and dead-letter decisions, kit's HTTP mapping) sees the same
// code, retriable flag and context without a translation. Callers branch on `code` / `retriable`
// or the class, never on message text.
import { PlatformError, type ErrorContext } from '@zhner/core';

export type { ErrorContext };

export class ModelError extends PlatformError {
  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown; context?: ErrorContext } = {}) {
    super(code, message, opts);
  }
}

/** A model directory cannot be loaded: missing/invalid manifest, missing file, ONNX session failure.
 * `retriable` is true only for I/O failures that may pass (EMFILE, EAGAIN, EBUSY). */
export class ModelLoadError extends ModelError {
  readonly dir: string;
  readonly file: string | undefined;
  constructor(message: string, opts: { dir: string; file?: string; cause?: unknown; retriable?: boolean; code?: string }) {
    super(opts.code ?? 'MODEL_LOAD_FAILED', message, {
      retriable: opts.retriable ?? false,
      cause: opts.cause,
      context: { dir: opts.dir, file: opts.file },
    });
    this.dir = opts.dir;
    this.file = opts.file;
  }
}

/** A file of a model directory does not hash to the sha256 recorded in manifest.json. Never retriable:
 * the directory is corrupt or was tampered with; nothing of it is loaded. */
export class ModelChecksumError extends ModelError {
  readonly dir: string;
  readonly file: string;
  readonly expected: string;
  readonly actual: string;
  constructor(opts: { dir: string; file: string; expected: string; actual: string }) {
    super('MODEL_CHECKSUM_MISMATCH', `model file ${opts.file} in ${opts.dir} has sha256 ${opts.actual}, manifest.json expects ${opts.expected}`, {
      context: { dir: opts.dir, file: opts.file, expected: opts.expected, actual: opts.actual },
    });
    this.dir = opts.dir;
    this.file = opts.file;
    this.expected = opts.expected;
    this.actual = opts.actual;
  }
}

/** Input that can never succeed (not a string, a segment longer than maxLength, a bad option). */
export class InvalidInputError extends ModelError {
  readonly index: number | undefined;
  constructor(message: string, opts: { index?: number; field?: string; code?: string } = {}) {
    super(opts.code ?? 'INVALID_INPUT', message, { context: { index: opts.index, field: opts.field } });
    this.index = opts.index;
  }
}

/** ONNX Runtime failed while running a batch. Retriable (e.g. memory pressure); the model stays usable. */
export class InferenceError extends ModelError {
  readonly modelVersion: string;
  constructor(message: string, opts: { modelVersion: string; batchSize: number; sequenceLength: number; cause?: unknown }) {
    super('INFERENCE_FAILED', message, {
      retriable: true,
      cause: opts.cause,
      context: { modelVersion: opts.modelVersion, batchSize: opts.batchSize, sequenceLength: opts.sequenceLength },
    });
    this.modelVersion = opts.modelVersion;
  }
}

/** predict() after dispose(). */
export class ModelDisposedError extends ModelError {
  constructor(modelVersion: string) {
    super('MODEL_DISPOSED', `model ${modelVersion} was disposed`, { context: { modelVersion } });
  }
}
