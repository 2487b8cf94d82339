// Entity types, admin side: add a type (the registry admits it to the label set, the studio keeps
// its colour, key and guideline), publish a new guideline version, remove an added type. Every
// correction records the label set and the guideline versions it was made under.
import type { StudioEntityType } from '@zhner/contracts';
import { checkGuideline, checkNewType, presentTypes, type NewEntityType } from '../domain/entityTypes';
import { errors } from '../errors';
import type { AuditLog } from './audit';
import type { LabelProvider } from './labels';
import type { EntityTypeStore, ModelActions, Principal } from './ports';

export class EntityTypeService {
  constructor(
    private readonly store: EntityTypeStore,
    private readonly labels: LabelProvider,
    private readonly actions: ModelActions,
    private readonly onChange?: () => void,
    private readonly audit?: Pick<AuditLog, 'record'>,
  ) {}

  /** The label set's types, in label order, with colours, keys and current guidelines. */
  async list(): Promise<StudioEntityType[]> {
    const [labels, rows] = await Promise.all([this.labels.labels(), this.store.list()]);
    return presentTypes(labels, rows);
  }

  /** Guideline version of each type that has one (recorded on every correction). */
  async guidelineVersions(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of await this.store.list()) if (r.guideline) out[r.type] = r.guideline.version;
    return out;
  }

  /**
   * Adds a type: checked, admitted to the registry's label set (the orchestrator refuses what it
   * cannot take), then stored; annotators are offered it at once. The next training run extends
   * the model's label set with it.
   */
  async add(p: Principal, input: NewEntityType): Promise<StudioEntityType> {
    if (this.labels.fixed) throw errors.create('TYPES_FIXED', {});
    const labels = await this.labels.labels();
    checkNewType(input, labels, presentTypes(labels, await this.store.list()));
    await this.actions.admitType({ type: input.type, by: p.annotatorId, note: `added in the studio by ${p.annotatorId}` });
    const version = await this.store.add({ type: input.type, colour: input.colour, shortcut: input.shortcut ?? null, guideline: input.guideline, by: p.annotatorId });
    await this.audit?.record(p.annotatorId, 'type.add', input.type, { colour: input.colour, shortcut: input.shortcut ?? null, guidelineVersion: version });
    this.labels.invalidate();
    this.onChange?.();
    return (await this.list()).find((t) => t.type === input.type) ?? { type: input.type, colour: input.colour, shortcut: input.shortcut ?? null, guideline: null, custom: true };
  }

  /** A new guideline version of a type of the label set (earlier versions stay: corrections name theirs). */
  async setGuideline(p: Principal, type: string, body: string): Promise<StudioEntityType> {
    checkGuideline(body);
    if (!(await this.labels.labels()).includes(type)) throw errors.create('TYPE_NOT_IN_LABEL_SET', { type });
    const version = await this.store.addGuideline(type, body, p.annotatorId);
    await this.audit?.record(p.annotatorId, 'type.guideline', type, { version });
    this.onChange?.();
    return (await this.list()).find((t) => t.type === type)!;
  }

  /**
   * Removes a type added in the studio that no promoted model tags (the orchestrator refuses
   * otherwise: TYPE_IN_MODEL). Stored corrections keep their spans of it; training and scoring
   * leave them out from now on, and new corrections with it are refused.
   */
  async remove(p: Principal, type: string, note: string | null): Promise<void> {
    const rows = await this.store.list();
    if (!rows.some((r) => r.type === type && r.custom)) throw errors.create('TYPE_NOT_CUSTOM', { type });
    await this.actions.removeType({ type, by: p.annotatorId });
    await this.store.remove(type, p.annotatorId, note);
    await this.audit?.record(p.annotatorId, 'type.remove', type, { note, effect: 'stored corrections keep their spans; training and scoring leave them out; new corrections with it are refused' });
    this.labels.invalidate();
    this.onChange?.();
  }
}
