// Every error the studio raises. Codes and statuses are a published API (the web studio and the
// integration suites branch on them); kit's httpStatusOf answers the status given here. The
// correction rules' codes (the platform's span and BIO rules, @zhner/core spans.ts) are answered
// as they are: their message is the rule's own, naming the offending span or tag.
import { CataloguedError, defineErrors, type SpanRule } from '@zhner/core';

const unauthenticated = { code: 'UNAUTHENTICATED', status: 401 } as const;
const invalid = { code: 'VALIDATION_FAILED', status: 400, validation: true } as const;
const rejected = { status: 400, validation: true, message: '{problem}' } as const;

/** A correction that breaks a rule: `code` is the rule (also the `reason` of the rejection metric). */
const rejections: { readonly [R in SpanRule | 'INPUT_FORM']: typeof rejected & { readonly doc: string } } = {
  SPAN_NOT_INTEGER: { ...rejected, doc: 'a span offset is not an integer' },
  SPAN_OUT_OF_RANGE: { ...rejected, doc: 'a span lies outside the text' },
  SPAN_EMPTY: { ...rejected, doc: 'a span has start >= end' },
  SPLITS_CHARACTER: { ...rejected, doc: 'a span cuts a UTF-16 surrogate pair' },
  SURFACE_MISMATCH: { ...rejected, doc: "a span's text differs from the slice of the text" },
  TYPE_EMPTY: { ...rejected, doc: 'a span has no type' },
  UNKNOWN_TYPE: { ...rejected, doc: 'a span or tag type is not in the label set' },
  SPAN_OVERLAP: { ...rejected, doc: 'two spans overlap' },
  BIO_INVALID: { ...rejected, doc: 'a tag is not O, B-<type> or I-<type>, or an I- continues nothing' },
  TAGS_LENGTH: { ...rejected, doc: 'not one tag per token' },
  TOKENS_MISMATCH: { ...rejected, doc: 'the tokens do not concatenate to the text' },
  INPUT_FORM: { ...rejected, doc: 'the correction is not of the accepted form (entities xor tags; the contract)' },
};

export const errors = defineErrors('studio', {
  TOKEN_MISSING: { ...unauthenticated, message: 'this request needs an API token: send "Authorization: Bearer zhner_…" (create one with npm run studio:token -- create)' },
  AUTHORIZATION_MALFORMED: { ...unauthenticated, message: 'the Authorization header must be "Bearer <token>"' },
  TOKEN_NOT_STUDIO: { ...unauthenticated, message: 'the bearer token is not a studio token (zhner_<id>_<secret>)' },
  TOKEN_INVALID: { ...unauthenticated, message: 'the token is not valid' },
  TOKEN_REVOKED: { ...unauthenticated, message: 'the token was revoked' },
  ANNOTATOR_DISABLED: { ...unauthenticated, message: 'annotator {annotatorId} is disabled' },
  NEEDS_ADMIN: { code: 'FORBIDDEN', status: 403, message: '{annotatorId} is an {role}; this action needs the admin role' },
  CANDIDATE_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'candidate "{id}" does not exist' },
  CORRECTION_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'correction "{id}" does not exist' },
  CORRECTED_TEXT_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'corrected text "{id}" does not exist', doc: 'an adjudication of a text hash nobody corrected' },
  MODEL_VERSION_NOT_FOUND: { code: 'NOT_FOUND', status: 404, message: 'model version "{id}" does not exist' },
  CLAIMED_BY_OTHER: { status: 409, message: 'candidate {candidateId} is claimed by {claimedBy} until {until}' },
  CORRECTION_CLAIMED_BY_OTHER: { code: 'CLAIMED_BY_OTHER', status: 409, message: 'candidate {candidateId} is claimed by {claimedBy}' },
  NOT_CLAIMABLE: { status: 409, message: 'candidate {candidateId} is {status}; only open items (or expired claims) can be claimed' },
  NOT_CLAIMED: { status: 409, message: '{annotatorId} does not hold a claim on candidate {candidateId} (status {status})' },
  NOT_CLAIMED_HELD: { code: 'NOT_CLAIMED', status: 409, message: '{annotatorId} does not hold a claim on candidate {candidateId} (status {status}, claimed by {claimedBy})' },
  CLAIM_FIRST: { code: 'NOT_CLAIMED', status: 409, message: 'claim candidate {candidateId} before correcting it (POST /api/queue/{candidateId}/claim); it is {status}' },
  CORRECTION_REVISION_TAKEN: {
    code: 'IDEMPOTENCY_CONFLICT',
    status: 409,
    message: "revision {revision} of {annotatorId}'s correction of {candidateId} was already submitted with other entities; submit revision {nextRevision} to revise it",
  },
  ADJUDICATION_REVISION_TAKEN: { code: 'IDEMPOTENCY_CONFLICT', status: 409, message: 'adjudication revision {revision} of this text already exists with other gold; use revision {nextRevision}' },
  ...rejections,
  ADJUDICATION_FORM: { ...invalid, message: 'give either chosenCorrectionId or entities' },
  NOT_A_CURRENT_CORRECTION: { ...invalid, message: "correction {chosenCorrectionId} is not one of this text's current corrections" },
  TAG_TEXT_OR_TEXTS: { ...invalid, message: 'give either text or texts' },
  TAG_NO_TEXTS: { ...invalid, message: 'give at least one text' },
  TAG_TOO_MANY_TEXTS: { ...invalid, message: 'at most {limit} texts per request, got {count}' },
  LIMIT_INVALID: { ...invalid, message: 'limit must be a positive integer, got "{limit}"' },
  STATUS_INVALID: { ...invalid, message: 'status "{status}" is not one of {allowed}' },
  TYPE_NAME_INVALID: { ...invalid, message: 'entity type "{type}" must be upper-case letters, digits or _ starting with a letter (at most 32), e.g. TIME' },
  TYPE_COLOUR_INVALID: { ...invalid, message: 'colour "{colour}" must be #rrggbb' },
  TYPE_SHORTCUT_INVALID: { ...invalid, message: 'shortcut "{shortcut}" must be one key, 1-9 (letters are the editor commands)' },
  TYPE_GUIDELINE_INVALID: { ...invalid, message: 'the guideline must be 1 to {max} characters of markdown, got {length}' },
  TYPES_FIXED: { code: 'CONFLICT', status: 409, message: 'LABELS_FROM_MODEL=false: the label set is LABELS; set LABELS_FROM_MODEL=true to add types in the studio' },
  TYPE_EXISTS: { status: 409, message: 'entity type {type} is already in the label set' },
  TYPE_SHORTCUT_TAKEN: { status: 409, message: 'shortcut "{shortcut}" already gives type {takenBy}' },
  TYPE_NOT_IN_LABEL_SET: { code: 'NOT_FOUND', status: 404, message: 'entity type {type} is not in the label set' },
  TYPE_NOT_CUSTOM: { code: 'TYPE_IN_MODEL', status: 409, message: 'entity type {type} was not added in the studio (the model tags it): it cannot be removed here' },
  UPSTREAM_FAILED: { status: 502, message: '{service}: {detail}', doc: 'a service the studio calls answered 5xx or nonsense' },
  UPSTREAM_UNAVAILABLE: { status: 503, retriable: true, message: '{service}: {detail}', doc: 'a service the studio calls is unreachable or timed out' },
  UPSTREAM_REFUSED: {
    message: '{service}: {detail}',
    doc: "a 4xx of a service the studio calls: the caller gets that status and code (this code when it gave none), e.g. the reloader's 404 UNKNOWN_MODEL_VERSION",
  },
});

export type RejectReason = SpanRule | 'INPUT_FORM';

/** A dependency (tagger, orchestrator, reloader) answered with an error or not at all: 503 when worth retrying, else 502. */
export function upstreamFailed(service: string, detail: string, opts: { status?: number; retriable?: boolean; cause?: unknown } = {}) {
  return errors.create(opts.retriable ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_FAILED', { service, detail, upstreamStatus: opts.status }, { cause: opts.cause });
}

/** A 4xx of a dependency, relayed: its status and code (UPSTREAM_REFUSED when it gave none) are the caller's answer. */
export function upstreamRefused(service: string, status: number, code: string | undefined, detail: string): CataloguedError<'UPSTREAM_REFUSED'> {
  const context = { service, detail, upstreamStatus: status };
  // the one entry whose code and status are the upstream's: create() fills the message, the relay sets the rest
  const made = errors.create('UPSTREAM_REFUSED', context);
  return new CataloguedError(errors.service, made.entry, code ?? made.code, made.message, { status, context });
}
