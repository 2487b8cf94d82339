// Every error the tagger raises. Codes and statuses are a published API (the studio, the reloader
// and the integration suites branch on them); kit's httpStatusOf answers the status given here.
// A failed model swap (POST /admin/model, /admin/model/rollback) answers 422 with its code (404 for
// UNKNOWN_MODEL_VERSION), whatever raised it: the load family below says 422 for the docs. Errors
// of the model runtime (@zhner/model: INFERENCE_FAILED, SEGMENT_TOO_LONG, MODEL_CHECKSUM_MISMATCH,
// MODEL_LOAD_FAILED, ...) pass through with their own codes.
import { PlatformError, defineErrors, type ErrorContext } from '@zhner/core';

const badInput = { status: 400, validation: true } as const;
const loadFailed = { status: 422 } as const;

export const errors = defineErrors('tagger', {
  NOT_A_STRING: { ...badInput, message: '{field} must be a string, got {got}' },
  TEXTS_NOT_AN_ARRAY: { ...badInput, code: 'NOT_A_STRING', message: 'texts must be an array of strings' },
  TEXTS_REQUIRED: { ...badInput, message: 'body must hold text (a string) or texts (an array of strings)' },
  TEXT_AND_TEXTS: { ...badInput, code: 'TEXTS_REQUIRED', message: 'give either text or texts, not both' },
  TEXTS_EMPTY: { ...badInput, code: 'EMPTY_TEXT', message: 'texts must not be empty' },
  TOO_MANY_TEXTS: { ...badInput, message: 'texts holds {count} items; at most {limit} per request' },
  TEXT_TOO_LONG: { ...badInput, message: 'text is {length} characters long; the hard limit is {limit}', doc: 'a raw-text record over TAGGER_MAX_TEXT_LENGTH (dead-lettered)' },
  TOO_MANY_REQUESTS: {
    status: 429,
    retriable: true,
    message: "the tagger's HTTP queue holds {queuedChars} characters (limit {limit}); retry in {retryAfterS} s",
    doc: 'TAGGER_HTTP_MAX_QUEUED_CHARS reached; Retry-After says when',
  },
  NOT_READY: { status: 503, retriable: true, message: 'no model is loaded yet' },
  COMMAND_IGNORED: { code: 'CONFLICT', status: 409, message: 'command {commandId} ignored: {reason}', doc: 'not for this replica, a duplicate, or stale' },
  MODEL_VERSION_REQUIRED: { ...loadFailed, message: 'LOAD_MODEL must name a registered model version' },
  REGISTRY_NOT_CONFIGURED: { ...loadFailed, message: 'cannot resolve model version "{modelVersion}": this replica has no REGISTRY_URL' },
  UNKNOWN_MODEL_VERSION: { status: 404, message: 'model version "{modelVersion}" is not in the registry' },
  UNSUPPORTED_MODEL_URI: { ...loadFailed, validation: true, message: 'modelUri "{modelUri}": only file system paths and file:// URLs are supported' },
  MODEL_URI_EMPTY: { ...loadFailed, validation: true, code: 'UNSUPPORTED_MODEL_URI', message: 'modelUri must not be empty' },
  MODEL_NOT_FOUND: { ...loadFailed, message: 'no readable manifest.json in {dir}: {detail}' },
  MODEL_VERSION_MISMATCH: { ...loadFailed, validation: true, message: '{dir} holds model {found}, not the requested {requested}' },
  MODEL_CHANGED_WHILE_LOADING: { ...loadFailed, code: 'MODEL_VERSION_MISMATCH', message: '{dir} changed while it was being loaded' },
  MODEL_CHANGED_UNDER_WORKER: {
    code: 'MODEL_VERSION_MISMATCH',
    message: '{location} now holds {found}, not {expected}',
    doc: 'a restarted inference worker found another model in the directory',
  },
  NO_PREVIOUS_MODEL: { ...loadFailed, message: 'nothing to roll back to: this replica has served only one model version' },
  MODEL_DISPOSED: { message: 'model {version} was disposed' },
  INFERENCE_WORKER_EXITED: { retriable: true, message: 'the inference worker has exited' },
  INFERENCE_WORKER_STOPPED: { code: 'INFERENCE_WORKER_EXITED', retriable: true, message: 'the inference worker stopped: {detail}' },
});

/** An error as an inference worker thread sends it (inferenceWorker.ts serialise). */
export interface WireError {
  code: string;
  message: string;
  retriable: boolean;
  context: ErrorContext;
}

/**
 * An error raised in an inference worker (the runtime's, or the worker's own from this catalogue),
 * rebuilt on the main thread with its own code, retriability and context: it is relayed, not raised.
 */
export function relayedFromWorker(e: WireError): PlatformError {
  return new PlatformError(e.code, e.message, { retriable: e.retriable, context: e.context });
}
