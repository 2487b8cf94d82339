import { demoTexts } from './demoFeed';

const SEED = [
  '国务院总理在北京会见了法国外交部长，双方就经贸合作交换了意见，会谈持续一小时。',
  '上海市政府今天发布通知，决定在浦东设立科技中心，首批项目下月启动。',
  '记者从中国科学院获悉，王建国团队取得重要进展，成果发表在《自然》上。',
  '华为公司在深圳发布新款手机，售价四千元，本周末开售。',
  '张伟在杭州创办了一家公司，员工已有三百人，业务覆盖全国。',
];

function take(n: number, seed = 1): string[] {
  const out: string[] = [];
  for (const t of demoTexts(SEED, seed)) {
    out.push(t);
    if (out.length === n) break;
  }
  return out;
}

describe('demoTexts', () => {
  it('starts with the file texts as they are', () => {
    expect(take(SEED.length)).toEqual(SEED);
  });

  it('then yields new, distinct sentences recombined from the clauses, each ending like a sentence', () => {
    const more = take(30).slice(SEED.length);
    expect(more.length).toBe(25);
    expect(new Set([...SEED, ...more]).size).toBe(30);
    for (const t of more) expect(t).toMatch(/[。]$/u);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(take(15, 7)).toEqual(take(15, 7));
    expect(take(15, 7)).not.toEqual(take(15, 8));
  });

  it('stops when nothing can be recombined', () => {
    expect([...demoTexts(['一句没有逗号的话。'])]).toEqual(['一句没有逗号的话。']);
  });
});
