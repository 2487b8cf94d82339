// Rules a correction must satisfy before it is stored (the original system's `validate_correction`).
// The rules themselves live in @zhner/core (spans.ts: one implementation, shared by every boundary
// and the web editor); here they become the studio's coded rejection (the HTTP 400 `code` and the
// `reason` label of the rejection metric), `field` naming the offending span or tag.
import { BIO_RULES, SPAN_RULES, ValidationError, bioToSpans as bio, sortSpans, spanProblem, type SpanProblem } from '@zhner/core';

/** A gold span as an annotator submits it; offsets are UTF-16 code units (`text.slice(start, end)`). */
export interface SpanInput {
  start: number;
  end: number;
  type: string;
  text: string;
}

export const REJECT_REASONS = [...SPAN_RULES, ...BIO_RULES, 'INPUT_FORM'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A correction that breaks one of the rules. `code` is the rule, `field` the offending span or tag. */
export class CorrectionRejected extends ValidationError {
  readonly reason: RejectReason;
  constructor(reason: RejectReason, field: string, message: string) {
    super(message, { code: reason, field, context: { reason } });
    this.reason = reason;
  }
  static of(p: SpanProblem): CorrectionRejected {
    return new CorrectionRejected(p.code, p.field, p.message);
  }
}

/** @throws CorrectionRejected naming the first offending span (see @zhner/core spanProblem). */
export function checkSpans(text: string, spans: readonly SpanInput[], labels: readonly string[], field = 'entities'): void {
  const p = spanProblem(text, spans, { labels, field });
  if (p) throw CorrectionRejected.of(p);
}

/** BIO tags to spans (see @zhner/core bioToSpans). @throws CorrectionRejected naming the offending tag. */
export function bioToSpans(text: string, tags: readonly string[], labels: readonly string[], tokens?: readonly string[]): SpanInput[] {
  const r = bio(text, tags, labels, tokens);
  if ('problem' in r) throw CorrectionRejected.of(r.problem);
  return r.spans;
}

export { sortSpans };
