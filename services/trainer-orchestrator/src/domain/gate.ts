// The promotion gate: a candidate replaces the current model only if it is not worse where it
// matters. F1 values are fractions (0..1); tolerances are in F1 points (0.5 = half a point).
import { widenedGaps, type BiasFlag, type Scores, type SliceReport } from '@zhner/core';

export interface GatePolicy {
  /** Largest allowed dev F1 drop, in points. Default 0.5. */
  maxDevDropPoints: number;
  /** Largest allowed hold-out F1 drop, in points. Default 0 (must not drop). */
  maxHoldoutDropPoints: number;
  /** Fewer hold-out documents than this and the hold-out check cannot run (too noisy). */
  minHoldoutDocs: number;
  /**
   * A check that cannot run (too few documents, nothing to compare with) is never silently
   * skipped: `fail` rejects the candidate; `hold` registers it without publishing it (no automatic
   * rollout; an admin may roll it out); `allow` lets it pass, recorded as "not evaluated".
   */
  missingEvidence: 'fail' | 'hold' | 'allow';
  /**
   * Bias slices (scored when the evaluator has a slice file): a group whose F1 gap between slices
   * widens by more than `tolerancePoints` against the base, on dev or hold-out, is flagged (stored
   * with the decision, shown on the Models page) or rejected.
   */
  bias: { tolerancePoints: number; action: 'flag' | 'reject' };
  /**
   * Each type on its own (when the candidate's and the base's entity types are known): a type the
   * base also tags may not drop more than `maxDropPoints` on a set where it has at least
   * `minSupport` gold mentions (fewer: noted, not judged); a NEW type (the base does not tag it)
   * is judged on the correction hold-out — no golden dev set knows it — and needs F1 of at least
   * `newTypeMinF1Points` there; fewer than `minSupport` hold-out mentions is missing evidence.
   */
  perType: { maxDropPoints: number; minSupport: number; newTypeMinF1Points: number };
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  maxDevDropPoints: 0.5, maxHoldoutDropPoints: 0, minHoldoutDocs: 20, missingEvidence: 'hold', bias: { tolerancePoints: 3, action: 'flag' },
  perType: { maxDropPoints: 2, minSupport: 20, newTypeMinF1Points: 50 },
};

/** Scores of one set, with its bias slices when they were computed. */
export type SetScores = Scores & { slices?: SliceReport };

export interface ModelScores {
  dev: SetScores;
  /** Null when there is no hold-out set. */
  holdout: SetScores | null;
  /** The entity types the model tags (its manifest's); per-type checks need both models'. */
  entityTypes?: readonly string[];
}

/** One type's check on one set. */
export interface TypeCheck {
  type: string;
  set: 'dev' | 'holdout';
  /** The base model does not tag this type: judged against newTypeMinF1Points, not against a base. */
  isNew: boolean;
  candidateF1: number | null;
  baseF1: number | null;
  deltaPoints: number | null;
  /** Gold mentions of the type in the set. */
  support: number;
  passed: boolean;
  skipped: boolean;
  note: string;
}

export interface GateCheck {
  name: 'dev' | 'holdout';
  candidateF1: number | null;
  baseF1: number | null;
  /** candidate − base, in points. */
  deltaPoints: number | null;
  maxDropPoints: number;
  docs: number;
  passed: boolean;
  /** The check could not run (kept as `skipped` for stored decisions); see `missingEvidence`. */
  skipped: boolean;
  note: string;
}

export interface GateDecision {
  /** Published (and so rolled out automatically): every check passed (or `allow`ed). */
  passed: boolean;
  /** passed; failed (a check failed, or evidence missing under `fail`); held (evidence missing under `hold`). */
  outcome: 'passed' | 'failed' | 'held';
  checks: GateCheck[];
  /** Each type on its own (empty when the models' entity types are unknown). */
  typeChecks: TypeCheck[];
  /** Why it failed (empty when passed). */
  reasons: string[];
  /** Slice groups whose gap widened past the tolerance (set: dev or holdout); rejected only under action `reject`. */
  biasFlags: Array<BiasFlag & { set: 'dev' | 'holdout' }>;
  policy: GatePolicy;
}

// F1 is a ratio of counts: a float error of 1e-9 points must not turn "equal" into "dropped".
const EPSILON_POINTS = 1e-9;
const round = (x: number) => Math.round(x * 1e6) / 1e6;

function check(name: 'dev' | 'holdout', cand: Scores | null, base: Scores | null, maxDrop: number, minDocs: number): GateCheck {
  const docs = cand?.docs ?? 0;
  if (!cand || docs === 0 || docs < minDocs) {
    return { name, candidateF1: cand?.f1 ?? null, baseF1: base?.f1 ?? null, deltaPoints: null, maxDropPoints: maxDrop, docs, passed: false, skipped: true, note: `not evaluated: ${docs} ${name} document(s), at least ${minDocs} needed` };
  }
  if (!base) {
    return { name, candidateF1: cand.f1, baseF1: null, deltaPoints: null, maxDropPoints: maxDrop, docs, passed: false, skipped: true, note: `not evaluated: no base model to compare ${name} F1 with` };
  }
  const delta = (cand.f1 - base.f1) * 100;
  const passed = delta >= -maxDrop - EPSILON_POINTS;
  const note = passed
    ? `F1 ${(cand.f1 * 100).toFixed(2)} vs ${(base.f1 * 100).toFixed(2)} (${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points; allowed drop ${maxDrop})`
    : `${name} F1 dropped ${(-delta).toFixed(2)} points (${(base.f1 * 100).toFixed(2)} → ${(cand.f1 * 100).toFixed(2)}), more than the allowed ${maxDrop}`;
  return { name, candidateF1: round(cand.f1), baseF1: round(base.f1), deltaPoints: round(delta), maxDropPoints: maxDrop, docs, passed, skipped: false, note };
}

function typeChecks(candidate: ModelScores, base: ModelScores | null, p: GatePolicy['perType']): TypeCheck[] {
  if (!candidate.entityTypes || !base?.entityTypes) return [];
  const baseTypes = new Set(base.entityTypes);
  const out: TypeCheck[] = [];
  const pts = (x: number) => (x * 100).toFixed(2);
  for (const type of [...candidate.entityTypes].sort()) {
    const isNew = !baseTypes.has(type);
    for (const set of isNew ? (['holdout'] as const) : (['dev', 'holdout'] as const)) {
      const c = candidate[set]?.perType[type];
      const b = base[set]?.perType[type];
      const support = c?.support ?? 0;
      const cand = c ? round(c.f1) : null;
      if (support < p.minSupport) {
        // an old type with few mentions in a set is noted, not judged; a new type with too few is missing evidence
        if (isNew || set === 'dev') out.push({ type, set, isNew, candidateF1: cand, baseF1: b ? round(b.f1) : null, deltaPoints: null, support, passed: !isNew, skipped: true, note: `not evaluated: ${support} ${type} mention(s) in the ${set} set, at least ${p.minSupport} needed` });
        continue;
      }
      if (isNew) {
        const passed = c!.f1 * 100 >= p.newTypeMinF1Points - EPSILON_POINTS;
        out.push({ type, set, isNew, candidateF1: cand, baseF1: null, deltaPoints: null, support, passed, skipped: false, note: passed ? `new type ${type}: F1 ${pts(c!.f1)} on ${support} hold-out mentions (at least ${p.newTypeMinF1Points})` : `new type ${type}: hold-out F1 ${pts(c!.f1)} below the required ${p.newTypeMinF1Points} (${support} mentions)` });
        continue;
      }
      if (!b) continue; // no base figure on this set (e.g. no hold-out for the base): the set-level check says so
      const delta = (c!.f1 - b.f1) * 100;
      const passed = delta >= -p.maxDropPoints - EPSILON_POINTS;
      out.push({ type, set, isNew, candidateF1: cand, baseF1: round(b.f1), deltaPoints: round(delta), support, passed, skipped: false, note: passed ? `${type} ${set} F1 ${pts(c!.f1)} vs ${pts(b.f1)}` : `${type} ${set} F1 dropped ${(-delta).toFixed(2)} points (${pts(b.f1)} → ${pts(c!.f1)}), more than the allowed ${p.maxDropPoints}` });
    }
  }
  return out;
}

/**
 * Decides whether a candidate may be published: its dev F1 may not fall more than
 * `maxDevDropPoints` below the base model's, and its hold-out F1 not more than
 * `maxHoldoutDropPoints`. Both models must have been scored on the same documents. A check that
 * cannot run (fewer than `minHoldoutDocs` hold-out documents, no dev documents, no base) is
 * decided by `missingEvidence`, never passed silently. Bias slices that widen past
 * `bias.tolerancePoints` are flagged, or reject the candidate under `bias.action` `reject`.
 */
export function decideGate(candidate: ModelScores, base: ModelScores | null, policy: GatePolicy = DEFAULT_GATE_POLICY): GateDecision {
  const checks = [
    check('dev', candidate.dev, base?.dev ?? null, policy.maxDevDropPoints, 1),
    check('holdout', candidate.holdout, base?.holdout ?? null, policy.maxHoldoutDropPoints, Math.max(1, policy.minHoldoutDocs)),
  ];
  const perType = typeChecks(candidate, base, policy.perType);
  const failed = [...checks, ...perType].filter((c) => !c.skipped && !c.passed).map((c) => c.note);
  const missingTypes = perType.filter((c) => c.skipped && c.isNew);
  const missing = [...checks.filter((c) => c.skipped), ...missingTypes].map((c) => c.note);
  if (policy.missingEvidence === 'allow') for (const c of [...checks, ...missingTypes]) if (c.skipped) c.passed = true;
  const outcome: GateDecision['outcome'] = failed.length > 0 || (missing.length > 0 && policy.missingEvidence === 'fail') ? 'failed' : missing.length > 0 && policy.missingEvidence === 'hold' ? 'held' : 'passed';
  const biasFlags = (['dev', 'holdout'] as const).flatMap((set) => {
    const c = candidate[set]?.slices;
    const b = base?.[set]?.slices;
    return c && b ? widenedGaps(b, c, policy.bias.tolerancePoints / 100).map((f) => ({ ...f, set })) : [];
  });
  const rejectBias = policy.bias.action === 'reject' && biasFlags.length > 0;
  const finalOutcome: GateDecision['outcome'] = rejectBias ? 'failed' : outcome;
  const reasons = [...failed, ...(policy.missingEvidence === 'allow' ? [] : missing), ...(rejectBias ? biasFlags.map((f) => `bias (${f.set}): ${f.reason}`) : [])];
  return { passed: finalOutcome === 'passed', outcome: finalOutcome, checks, typeChecks: perType, reasons, biasFlags, policy };
}
