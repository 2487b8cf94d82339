// Colours and keys of entity types: assigned in label-set order (nothing here knows PER/LOC/ORG).
const PALETTE = ['#ff2bd6', '#00e5ff', '#ffe600', '#7cff4f', '#ff8a00', '#b388ff', '#ff5370', '#4dd0e1', '#c3e88d'];
const UNKNOWN = '#9aa4b2';

export function colourOf(labels: readonly string[], type: string): string {
  const i = labels.indexOf(type);
  return i < 0 ? UNKNOWN : PALETTE[i % PALETTE.length];
}

/** Keyboard shortcut of a type: 1..9 in label order (types past the ninth get none). */
export function keyOf(labels: readonly string[], type: string): string | undefined {
  const i = labels.indexOf(type);
  return i >= 0 && i < 9 ? String(i + 1) : undefined;
}

export const fmtScore = (s: number | null | undefined, digits = 2): string => (s === null || s === undefined || !Number.isFinite(s) ? '—' : s.toFixed(digits));
/** Epoch ms (the studio's own API) or an ISO time (objects passed through from the registry and the reloader). */
export const fmtTime = (t: number | string | null | undefined): string => (t ? new Date(t).toLocaleString() : '—');
