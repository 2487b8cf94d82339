import { createLogger } from '@zhner/kit';
import { serialiseData } from '../domain/dataFormats';
import { DataTransferService } from './dataTransfer';
import { LabelProvider } from './labels';
import type { CurrentGold, DataStore, ImportedCorrection, StudioMetrics } from './ports';

/** An in-memory DataStore with the adapter's idempotency (same id or same gold of a text → unchanged). */
class FakeDataStore implements DataStore {
  readonly rows: ImportedCorrection[] = [];
  async importCorrections(items: readonly ImportedCorrection[]) {
    let inserted = 0;
    for (const it of items) {
      if (this.rows.some((r) => r.correction.correctionId === it.correction.correctionId)) continue;
      this.rows.push(it);
      inserted++;
    }
    return { inserted, unchanged: items.length - inserted };
  }
  async currentGold(): Promise<CurrentGold[]> {
    return this.rows.map((r) => ({ docId: r.correction.docId, text: r.correction.text, entities: r.correction.entities }));
  }
}

const metrics: StudioMetrics = { correctionSubmitted: () => undefined, correctionRejected: () => undefined, claim: () => undefined, skip: () => undefined };
const labels = new LabelProvider({ configured: ['PER', 'LOC', 'ORG'], logger: createLogger('t', { level: 'silent' }) });

const FILE = [
  JSON.stringify({ id: 'd1', text: '𠮷野家在东京开店', entities: [{ start: 0, end: 3, type: 'ORG', text: '𠮷野家' }, { start: 4, end: 6, type: 'LOC', text: '东京' }] }),
  JSON.stringify({ id: 'd2', text: '李鹏在北京', entities: [{ start: 3, end: 5, type: 'LOC', text: '上海' }] }),
  JSON.stringify({ text: '王小明', entities: [{ start: 0, end: 3, type: 'PER', text: '王小明' }] }),
  JSON.stringify({ id: 'x'.repeat(600), text: '北京', entities: [] }),
].join('\n');

describe('DataTransferService', () => {
  it('dry run: validates and counts, stores nothing', async () => {
    const store = new FakeDataStore();
    const s = await new DataTransferService(store, labels, metrics, () => 1000).import({ format: 'jsonl', content: FILE, dryRun: true });
    expect(s).toMatchObject({ documents: 2, entities: 3, per_type: { ORG: 1, LOC: 1, PER: 1 }, dry_run: true, stored: 0, unchanged: 0 });
    // the contract's own id rule (at most 512 characters) refuses line 4, as a consumer of the topic would
    expect(s.rejected.map((r) => [r.line, r.code])).toEqual([
      [2, 'SURFACE_MISMATCH'],
      [4, 'VALIDATION_FAILED'],
    ]);
    expect(store.rows).toHaveLength(0);
  });

  it('imports records as IMPORT corrections (UTF-16 offsets, no candidate, stable ids) and is idempotent', async () => {
    const store = new FakeDataStore();
    const svc = new DataTransferService(store, labels, metrics, () => 1000);
    const first = await svc.import({ format: 'jsonl', content: FILE, dryRun: false });
    expect([first.stored, first.unchanged]).toEqual([2, 0]);
    const c = store.rows[0].correction;
    expect(c).toMatchObject({ candidateId: null, docId: 'd1', annotator: 'import', origin: 'IMPORT', revision: 0, modelVersion: null });
    expect(c.entities).toEqual([{ start: 0, end: 4, type: 'ORG', text: '𠮷野家' }, { start: 5, end: 7, type: 'LOC', text: '东京' }]);
    expect(store.rows[1].correction.docId).toMatch(/^import-[0-9a-f]{16}$/);
    const again = await svc.import({ format: 'jsonl', content: FILE, dryRun: false });
    expect([again.stored, again.unchanged]).toEqual([0, 2]);
  });

  it('exports what it imported, byte for byte, in every format', async () => {
    const store = new FakeDataStore();
    const svc = new DataTransferService(store, labels, metrics);
    await svc.import({ format: 'jsonl', content: FILE, dryRun: false });
    for (const format of ['jsonl', 'conll', 'spans-jsonl'] as const) {
      const out = await svc.export(format);
      const fresh = new FakeDataStore();
      const back = await new DataTransferService(fresh, labels, metrics).import({ format, content: out.content, dryRun: false });
      expect(back.rejected).toEqual([]);
      expect((await new DataTransferService(fresh, labels, metrics).export(format)).content).toBe(out.content);
      expect(out.summary).toEqual({ documents: 2, entities: 3, per_type: { ORG: 1, LOC: 1, PER: 1 }, rejected: [] });
    }
    expect((await svc.export('jsonl')).content).toBe(serialiseData('jsonl', (await store.currentGold()).map((g) => ({ id: g.docId, text: g.text, entities: g.entities }))));
  });
});
