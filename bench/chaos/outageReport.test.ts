import { outageVerdict, type OutageFigures } from './outageReport';

const good: OutageFigures = {
  crashed: [],
  docs: { produced: 1000, acked: 1000, tagged: 1000, lost: 0, duplicates: 0 },
  broker: { downS: 20, recoveryS: 4.2, readyz503: 12, readyzPolls: 20 },
  db: { downS: 15, recoveryS: 1.1 },
  corrections: { accepted: 40, stored: 40, published: 40, storedTotal: 40, publishedTotal: 40, answers: { '201': 40, '503': 30 } },
};

describe('outage verdict', () => {
  it('passes a clean drill', () => expect(outageVerdict(good, { recoveryS: 10 })).toEqual({ ok: true, failures: [] }));

  it.each([
    ['a service went down', { ...good, crashed: ['studio'] }, /down: studio/],
    ['lost', { ...good, docs: { ...good.docs, tagged: 998, lost: 2 } }, /2 acked documents never tagged/],
    ['duplicated', { ...good, docs: { ...good.docs, duplicates: 1 } }, /tagged more than once/],
    ['slow', { ...good, broker: { ...good.broker, recoveryS: 12.5 } }, /12\.5 s after the broker returned \(bar 10 s\)/],
    ['never back', { ...good, broker: { ...good.broker, recoveryS: null } }, /no entity event after/],
    ['ready while down', { ...good, broker: { ...good.broker, readyz503: 0 } }, /never said 503/],
    ['not stored', { ...good, corrections: { ...good.corrections, stored: 39 } }, /1 accepted corrections not stored/],
    ['not published', { ...good, corrections: { ...good.corrections, published: 38, publishedTotal: 38 } }, /2 accepted corrections not published/],
  ])('fails when %s', (_name, figures, why) => {
    const v = outageVerdict(figures as OutageFigures, { recoveryS: 10 });
    expect(v.ok).toBe(false);
    expect(v.failures.join('; ')).toMatch(why);
  });
});
