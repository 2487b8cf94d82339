// Colours and keys of entity types: what GET /api/config's `types` says (the server assigns model
// types a colour and key by position, admin-added ones keep theirs); before it has answered, or for
// a type it does not list, by position in the label set. Nothing here knows PER/LOC/ORG.
import type { StudioEntityType } from '@zhner/contracts/http';

const PALETTE = ['#ff2bd6', '#00e5ff', '#ffe600', '#7cff4f', '#ff8a00', '#b388ff', '#ff5370', '#4dd0e1', '#c3e88d'];
const UNKNOWN = '#9aa4b2';

let presentation = new Map<string, Pick<StudioEntityType, 'colour' | 'shortcut'>>();
let allTypes: readonly StudioEntityType[] = [];

/** The studio's presentation of the label set (App sets it from /api/config). */
export function setTypePresentation(types: readonly StudioEntityType[]): void {
  allTypes = types;
  presentation = new Map(types.map((t) => [t.type, { colour: t.colour, shortcut: t.shortcut }]));
}

/** Every type with its guideline (the editor's `?` help). */
export function typePresentation(): readonly StudioEntityType[] {
  return allTypes;
}

export function colourOf(labels: readonly string[], type: string): string {
  const p = presentation.get(type);
  if (p) return p.colour;
  const i = labels.indexOf(type);
  return i < 0 ? UNKNOWN : PALETTE[i % PALETTE.length];
}

/** Keyboard shortcut of a type: its own, else 1..9 in label order (types past the ninth get none). */
export function keyOf(labels: readonly string[], type: string): string | undefined {
  const p = presentation.get(type);
  if (p) return p.shortcut ?? undefined;
  const i = labels.indexOf(type);
  return i >= 0 && i < 9 ? String(i + 1) : undefined;
}

/** The type a key gives (inverse of keyOf over the label set). */
export function typeOfKey(labels: readonly string[], key: string): string | undefined {
  return labels.find((l) => keyOf(labels, l) === key);
}

export const fmtScore = (s: number | null | undefined, digits = 2): string => (s === null || s === undefined || !Number.isFinite(s) ? '—' : s.toFixed(digits));
/** Epoch ms (the studio's own API) or an ISO time (objects passed through from the registry and the reloader). */
export const fmtTime = (t: number | string | null | undefined): string => (t ? new Date(t).toLocaleString() : '—');
