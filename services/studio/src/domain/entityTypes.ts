// Entity types as the studio presents them: a colour, a shortcut key and a versioned guideline per
// type of the label set, in label-set order. Types the model brings (PER, LOC, ...) get a colour
// and a key from their position; an admin-added type keeps the ones it was given. Pure.
import { ENTITY_TYPE_PATTERN, type StudioEntityType } from '@zhner/contracts';
import { errors } from '../errors';

/** Colours of types without their own, by position in the label set. */
export const PALETTE = ['#ff2bd6', '#00e5ff', '#ffe600', '#7cff4f', '#ff8a00', '#b388ff', '#ff5370', '#4dd0e1', '#c3e88d'] as const;
export const GUIDELINE_MAX = 20_000;
const TYPE = new RegExp(ENTITY_TYPE_PATTERN);

/** A stored type row of the studio (an admin added it) with its latest guideline. */
export interface EntityTypeRow {
  type: string;
  colour: string;
  shortcut: string | null;
  custom: boolean;
  guideline: { version: number; body: string; createdAt: number; createdBy: string } | null;
}

export interface NewEntityType {
  type: string;
  colour: string;
  shortcut?: string | null;
  guideline: string;
}

/** The label set's types with colours, keys and guidelines (label order; keys unique). */
export function presentTypes(labels: readonly string[], rows: readonly EntityTypeRow[]): StudioEntityType[] {
  const byType = new Map(rows.map((r) => [r.type, r]));
  const taken = new Set(labels.map((l) => byType.get(l)?.shortcut).filter((k): k is string => !!k));
  return labels.map((type, i) => {
    const r = byType.get(type);
    // a default key: its position 1..9, unless a custom type holds that key
    const position = i < 9 ? String(i + 1) : null;
    const shortcut = r?.shortcut ?? (position && !taken.has(position) ? position : null);
    return { type, colour: r?.colour ?? PALETTE[i % PALETTE.length], shortcut, guideline: r?.guideline ?? null, custom: r?.custom ?? false };
  });
}

export function checkGuideline(body: string): void {
  if (typeof body !== 'string' || body.trim() === '' || body.length > GUIDELINE_MAX) throw errors.create('TYPE_GUIDELINE_INVALID', { max: GUIDELINE_MAX, length: typeof body === 'string' ? body.length : 0, field: 'guideline' });
}

/** Checks a new type against the label set and the keys in use; throws the coded reason. */
export function checkNewType(input: NewEntityType, labels: readonly string[], current: readonly StudioEntityType[]): void {
  if (typeof input.type !== 'string' || !TYPE.test(input.type)) throw errors.create('TYPE_NAME_INVALID', { type: String(input.type), field: 'type' });
  if (typeof input.colour !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(input.colour)) throw errors.create('TYPE_COLOUR_INVALID', { colour: String(input.colour), field: 'colour' });
  if (input.shortcut != null && !/^[1-9]$/.test(input.shortcut)) throw errors.create('TYPE_SHORTCUT_INVALID', { shortcut: input.shortcut, field: 'shortcut' });
  checkGuideline(input.guideline);
  if (labels.includes(input.type)) throw errors.create('TYPE_EXISTS', { type: input.type });
  const holder = current.find((t) => input.shortcut != null && t.shortcut === input.shortcut);
  if (holder) throw errors.create('TYPE_SHORTCUT_TAKEN', { shortcut: input.shortcut!, takenBy: holder.type, field: 'shortcut' });
}
