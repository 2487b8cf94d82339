// The pure part of `npm run chaos:outage`: the figures of one drill and whether they meet the bars
// (nothing lost or duplicated, events again within `recoveryS` of the broker's return, /readyz
// 503 while it was away, corrections accepted = stored = published).

export interface OutageFigures {
  /** services that stopped answering /healthz */
  crashed: string[];
  docs: { produced: number; acked: number; tagged: number; lost: number; duplicates: number };
  broker: { downS: number; recoveryS: number | null; readyz503: number; readyzPolls: number };
  db: { downS: number; recoveryS: number | null };
  corrections: { accepted: number; stored: number; published: number; storedTotal: number; publishedTotal: number; answers: Record<string, number> };
}

export function outageVerdict(f: OutageFigures, bars: { recoveryS: number }): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  if (f.crashed.length > 0) failures.push(`down: ${f.crashed.join(', ')}`);
  if (f.docs.acked === 0) failures.push('no document was acked by the broker');
  if (f.docs.lost > 0) failures.push(`${f.docs.lost} acked documents never tagged`);
  if (f.docs.duplicates > 0) failures.push(`${f.docs.duplicates} documents tagged more than once`);
  if (f.broker.recoveryS === null) failures.push('no entity event after the broker returned');
  else if (f.broker.recoveryS > bars.recoveryS) failures.push(`events ${f.broker.recoveryS.toFixed(1)} s after the broker returned (bar ${bars.recoveryS} s)`);
  if (f.broker.readyz503 === 0) failures.push("the tagger's /readyz never said 503 while the broker was down");
  if (f.corrections.accepted === 0) failures.push('no correction was accepted');
  if (f.corrections.stored !== f.corrections.accepted) failures.push(`${f.corrections.accepted - f.corrections.stored} accepted corrections not stored`);
  if (f.corrections.published !== f.corrections.accepted) failures.push(`${f.corrections.accepted - f.corrections.published} accepted corrections not published`);
  if (f.corrections.storedTotal !== f.corrections.publishedTotal) failures.push(`stored ${f.corrections.storedTotal} ≠ published ${f.corrections.publishedTotal}`);
  if (f.db.recoveryS === null) failures.push('no correction accepted after the database returned');
  return { ok: failures.length === 0, failures };
}
