// Rules a correction must satisfy before it is stored (the original system's `validate_correction`).
// The rules themselves live in @zhner/core (spans.ts: one implementation, shared by every boundary
// and the web editor); here they become the studio's coded rejection (the HTTP 400 `code` and the
// `reason` label of the rejection metric), `field` naming the offending span or tag.
import { BIO_RULES, SPAN_RULES, bioToSpans as bio, sortSpans, spanProblem, type CataloguedValidationError, type SpanProblem } from '@zhner/core';
import { errors, type RejectReason } from '../errors';

/** A gold span as an annotator submits it; offsets are UTF-16 code units (`text.slice(start, end)`). */
export interface SpanInput {
  start: number;
  end: number;
  type: string;
  text: string;
}

export const REJECT_REASONS: readonly RejectReason[] = [...SPAN_RULES, ...BIO_RULES, 'INPUT_FORM'];
export type { RejectReason };

/** A correction that breaks one of the rules: `code` is the rule, `field` the offending span or tag. */
export type CorrectionRejected = CataloguedValidationError<RejectReason>;

/** The studio's rejection of a correction (HTTP 400 with the rule as its code). */
export function correctionRejected(reason: RejectReason, field: string, problem: string): CorrectionRejected {
  return errors.create(reason, { field, reason, problem });
}

export function isCorrectionRejected(err: unknown): err is CorrectionRejected {
  return errors.is(err) && (REJECT_REASONS as readonly string[]).includes(err.entry);
}

const rejectionOf = (p: SpanProblem): CorrectionRejected => correctionRejected(p.code, p.field, p.message);

/** @throws CorrectionRejected naming the first offending span (see @zhner/core spanProblem). */
export function checkSpans(text: string, spans: readonly SpanInput[], labels: readonly string[], field = 'entities'): void {
  const p = spanProblem(text, spans, { labels, field });
  if (p) throw rejectionOf(p);
}

/** BIO tags to spans (see @zhner/core bioToSpans). @throws CorrectionRejected naming the offending tag. */
export function bioToSpans(text: string, tags: readonly string[], labels: readonly string[], tokens?: readonly string[]): SpanInput[] {
  const r = bio(text, tags, labels, tokens);
  if ('problem' in r) throw rejectionOf(r.problem);
  return r.spans;
}

export { sortSpans };
