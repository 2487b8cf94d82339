import type { CorpusExample } from '@zhner/core';
import type { StoredExample } from './ports';
import { annotateCoverage } from './trainingRuns';

const stored = (labelSet: string[] | null, entities: StoredExample['entities']): StoredExample => ({
  correctionId: 'c1', textHash: 'h', docId: 'd', text: '李鹏3月5日到北京', entities, annotator: 'a', origin: 'STUDIO', split: 'train', firstUsedIn: null, labelSet,
});

describe('annotateCoverage: what each sentence of a run was annotated for', () => {
  const cov = annotateCoverage(['LOC', 'ORG', 'PER', 'TIME'], ['LOC', 'ORG', 'PER']);

  it('a correction made with TIME offered is fully annotated; one made before (or not recorded) is not for TIME', () => {
    const per = { start: 0, end: 2, type: 'PER', text: '李鹏' };
    const time = { start: 2, end: 6, type: 'TIME', text: '3月5日' };
    expect(cov.correction(stored(['LOC', 'ORG', 'PER', 'TIME'], [per, time]))).not.toHaveProperty('unannotatedTypes');
    expect(cov.correction(stored(['LOC', 'ORG', 'PER'], [per])).unannotatedTypes).toEqual(['TIME']);
    expect(cov.correction(stored(null, [per])).unannotatedTypes).toEqual(['TIME']); // older rows: the base model's types
  });

  it('a replayed corpus sentence is annotated for the types its corpus marks', () => {
    const pool: CorpusExample[] = [
      { id: 'r1', text: '李鹏到北京', entities: [{ start: 0, end: 2, type: 'PER', text: '李鹏' }] },
      { id: 'r2', text: '国务院', entities: [{ start: 0, end: 3, type: 'ORG', text: '国务院' }] },
      { id: 'r3', text: '上海', entities: [{ start: 0, end: 2, type: 'LOC', text: '上海' }] },
    ];
    expect(cov.replay(pool).map((e) => e.unannotatedTypes)).toEqual([['TIME'], ['TIME'], ['TIME']]);
  });

  it('spans of a type no longer in the label set are left out, and the type counts as not annotated', () => {
    const c = annotateCoverage(['LOC', 'ORG', 'PER'], ['LOC', 'ORG', 'PER']).correction(stored(['LOC', 'ORG', 'PER', 'TIME'], [{ start: 2, end: 6, type: 'TIME', text: '3月5日' }]));
    expect(c.entities).toEqual([]);
    expect(c.unannotatedTypes).toEqual(['TIME']);
  });
});
