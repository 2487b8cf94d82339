// Inter-annotator agreement on spans, for the Annotators page and its CSV export. Pure arithmetic:
// the caller brings, per pair of annotators, the items both annotated (their latest correction).
//
// Measures (each per pair, overall and per type):
// - exact-span F1: a span agrees when both marked the same start, end and type; F1 = 2·matches /
//   (spans of A + spans of B), symmetric in A and B. Both sets empty counts as full agreement (1),
//   as in the platform's strict scoring.
// - partial-overlap F1: a span of A agrees with one of B of the same type that overlaps it by at
//   least one character, matched one to one (largest overlap first), so one long span cannot
//   agree with several short ones.
// - Cohen's κ on character labels: every UTF-16 unit of the shared texts gets its type or O from
//   each annotator; κ = (Po − Pe) / (1 − Pe). Characters are the unit because Chinese NER has no
//   given tokenisation, and κ corrects for the agreement that the large share of O characters
//   would give by chance (two annotators who mark nothing still agree on ~90 % of characters).
//   Undefined (null) when both used one and the same label everywhere (Pe = 1), e.g. an all-empty pair.
// - Krippendorff's α (nominal) on the same character labels, with its small-sample correction:
//   α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k over the n = 2·characters pairable values.
//   Characters are its units: this is not the continuum α_u of Krippendorff (1995), which also
//   weighs the lengths of gaps and overlaps. Below 0 when annotators disagree systematically;
//   null where κ is.

export interface AgreementSpan {
  start: number;
  end: number;
  type: string;
}

/** One item both annotators of a pair annotated: the text length (UTF-16 units) and both span sets. */
export interface SharedItem {
  itemId: string;
  textLength: number;
  a: readonly AgreementSpan[];
  b: readonly AgreementSpan[];
}

export interface AgreementFigures {
  /** Items both annotated. */
  items: number;
  spansA: number;
  spansB: number;
  exactF1: number;
  partialF1: number;
  /** null when undefined (neither annotator used more than one label anywhere). */
  kappa: number | null;
  alpha: number | null;
}

export interface PairAgreement extends AgreementFigures {
  a: string;
  b: string;
  /** Per entity type seen by either annotator: the same figures on that type alone (others are O). */
  perType: Record<string, AgreementFigures>;
}

const O = 'O';

/** Exact matches of two span sets (same start, end and type), each span used once. */
const spanKey = (s: AgreementSpan): string => `${s.start}:${s.end}:${s.type}`;

function exactMatches(a: readonly AgreementSpan[], b: readonly AgreementSpan[]): number {
  const pool = new Map<string, number>();
  for (const s of b) pool.set(spanKey(s), (pool.get(spanKey(s)) ?? 0) + 1);
  let n = 0;
  for (const s of a) {
    const k = spanKey(s);
    const left = pool.get(k) ?? 0;
    if (left > 0) {
      n++;
      pool.set(k, left - 1);
    }
  }
  return n;
}

/** One-to-one matches of same-type spans that overlap by ≥ 1 character, largest overlap first. */
function overlapMatches(a: readonly AgreementSpan[], b: readonly AgreementSpan[]): number {
  const pairs: { i: number; j: number; overlap: number }[] = [];
  a.forEach((x, i) =>
    b.forEach((y, j) => {
      const overlap = Math.min(x.end, y.end) - Math.max(x.start, y.start);
      if (x.type === y.type && overlap > 0) pairs.push({ i, j, overlap });
    }),
  );
  pairs.sort((p, q) => q.overlap - p.overlap || p.i - q.i || p.j - q.j);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  for (const p of pairs) {
    if (usedA.has(p.i) || usedB.has(p.j)) continue;
    usedA.add(p.i);
    usedB.add(p.j);
  }
  return usedA.size;
}

const f1 = (matches: number, na: number, nb: number): number => (na + nb === 0 ? 1 : (2 * matches) / (na + nb));

/** Character labels of one span set (the later span wins where spans overlap; gold has none). */
function charLabels(length: number, spans: readonly AgreementSpan[]): string[] {
  const out = new Array<string>(length).fill(O);
  for (const s of spans) for (let i = Math.max(0, s.start); i < Math.min(length, s.end); i++) out[i] = s.type;
  return out;
}

/** Cohen's κ and Krippendorff's α (nominal) of two label sequences of equal length. */
export function chanceCorrected(la: readonly string[], lb: readonly string[]): { kappa: number | null; alpha: number | null } {
  if (la.length !== lb.length) throw new RangeError(`label sequences differ in length (${la.length} vs ${lb.length})`);
  const n = la.length;
  if (n === 0) return { kappa: null, alpha: null };
  const countA = new Map<string, number>();
  const countB = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    countA.set(la[i], (countA.get(la[i]) ?? 0) + 1);
    countB.set(lb[i], (countB.get(lb[i]) ?? 0) + 1);
    if (la[i] === lb[i]) agree++;
  }
  const labels = new Set([...countA.keys(), ...countB.keys()]);
  const po = agree / n;
  let pe = 0;
  for (const l of labels) pe += ((countA.get(l) ?? 0) / n) * ((countB.get(l) ?? 0) / n);
  const kappa = pe >= 1 ? null : (po - pe) / (1 - pe);
  // α: 2n pairable values; coincidences off the diagonal = 2 per disagreeing character
  const values = 2 * n;
  const disagreeing = 2 * (n - agree);
  let squares = 0;
  for (const l of labels) squares += ((countA.get(l) ?? 0) + (countB.get(l) ?? 0)) ** 2;
  const expected = values * values - squares; // Σ_{c≠k} n_c·n_k = (Σ n_c)² − Σ n_c²
  const alpha = expected === 0 ? null : 1 - ((values - 1) * disagreeing) / expected;
  return { kappa, alpha };
}

function figures(items: readonly SharedItem[], only?: string): AgreementFigures {
  const pick = (s: readonly AgreementSpan[]) => (only === undefined ? s : s.filter((x) => x.type === only));
  let na = 0;
  let nb = 0;
  let exact = 0;
  let partial = 0;
  const la: string[] = [];
  const lb: string[] = [];
  for (const it of items) {
    const a = pick(it.a);
    const b = pick(it.b);
    na += a.length;
    nb += b.length;
    exact += exactMatches(a, b);
    partial += overlapMatches(a, b);
    la.push(...charLabels(it.textLength, a));
    lb.push(...charLabels(it.textLength, b));
  }
  return { items: items.length, spansA: na, spansB: nb, exactF1: f1(exact, na, nb), partialF1: f1(partial, na, nb), ...chanceCorrected(la, lb) };
}

/** Agreement of one pair over the items both annotated, overall and per type. */
export function pairAgreement(a: string, b: string, items: readonly SharedItem[]): PairAgreement {
  const types = [...new Set(items.flatMap((it) => [...it.a, ...it.b].map((s) => s.type)))].sort();
  return { a, b, ...figures(items), perType: Object.fromEntries(types.map((t) => [t, figures(items, t)])) };
}

/** One annotator's latest spans on one item. */
export interface AnnotatedItem {
  itemId: string;
  annotator: string;
  textLength: number;
  spans: readonly AgreementSpan[];
}

/** Every pair of annotators with at least one shared item, in name order. */
export function agreementMatrix(annotations: readonly AnnotatedItem[]): PairAgreement[] {
  const byItem = new Map<string, Map<string, AnnotatedItem>>();
  for (const x of annotations) {
    const m = byItem.get(x.itemId) ?? new Map<string, AnnotatedItem>();
    m.set(x.annotator, x);
    byItem.set(x.itemId, m);
  }
  const shared = new Map<string, SharedItem[]>();
  for (const [itemId, m] of byItem) {
    const names = [...m.keys()].sort();
    for (let i = 0; i < names.length; i++)
      for (let j = i + 1; j < names.length; j++) {
        const x = m.get(names[i])!;
        const y = m.get(names[j])!;
        const k = JSON.stringify([names[i], names[j]]);
        const list = shared.get(k) ?? [];
        list.push({ itemId, textLength: Math.max(x.textLength, y.textLength), a: x.spans, b: y.spans });
        shared.set(k, list);
      }
  }
  return [...shared.entries()]
    .sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))
    .map(([k, items]) => {
      const [a, b] = JSON.parse(k) as [string, string];
      return pairAgreement(a, b, items);
    });
}

const csvCell = (v: string | number | null): string => {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(Math.round(v * 10_000) / 10_000) : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The matrix as CSV: one row per pair and type (`*` = all types), empty cells where undefined. */
export function agreementCsv(matrix: readonly PairAgreement[]): string {
  const head = ['annotator_a', 'annotator_b', 'type', 'items', 'spans_a', 'spans_b', 'exact_f1', 'partial_f1', 'cohen_kappa_chars', 'krippendorff_alpha_chars'];
  const rows = [head.join(',')];
  const row = (p: PairAgreement, type: string, f: AgreementFigures) =>
    [p.a, p.b, type, f.items, f.spansA, f.spansB, f.exactF1, f.partialF1, f.kappa, f.alpha].map(csvCell).join(',');
  for (const p of matrix) {
    rows.push(row(p, '*', p));
    for (const [t, f] of Object.entries(p.perType)) rows.push(row(p, t, f));
  }
  return `${rows.join('\n')}\n`;
}
