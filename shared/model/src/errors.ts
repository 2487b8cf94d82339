// Errors of the model runtime. Same shape as @zhner/kit's PlatformError (code, retriable, context,
// cause, toJSON) without depending on kit, so that the runtime and the eval CLI stay light.
// Callers branch on `code` / `retriable` or the class, never on message text.

export type ErrorContextValue = string | number | boolean | null | undefined | readonly unknown[];
export interface ErrorContext {
  readonly [key: string]: ErrorContextValue;
}

export class ModelError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: ErrorContext;
  override readonly cause?: unknown;

  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown; context?: ErrorContext } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.context = opts.context ?? {};
    if (opts.cause !== undefined) this.cause = opts.cause;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable, context: this.context };
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
