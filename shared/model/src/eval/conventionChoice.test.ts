import { chooseConvention } from './conventionChoice';

const model = { conventions: ['msra', 'weibo', 'resume', 'cluener'], defaultConvention: 'msra', conventionAliases: { peoples_daily: 'msra' } };

describe('chooseConvention', () => {
  it('takes the flag, else the corpus folder or its alias, else the default', () => {
    expect(chooseConvention('../shared/data/weibo/dev.jsonl', 'cluener', model)).toEqual({ convention: 'cluener', reason: 'flag' });
    expect(chooseConvention('../shared/data/weibo/dev.jsonl', undefined, model)).toEqual({ convention: 'weibo', reason: 'folder weibo' });
    expect(chooseConvention('/x/peoples_daily/test.jsonl', 'auto', model)).toEqual({ convention: 'msra', reason: 'folder peoples_daily' });
    expect(chooseConvention('/tmp/mine.jsonl', undefined, model)).toEqual({ convention: 'msra', reason: 'model default' });
  });

  it('rejects an unknown convention, naming the known ones', () => {
    expect(() => chooseConvention('a/b.jsonl', 'news', model)).toThrow(/msra, weibo, resume, cluener/);
  });

  it('gives a model without conventions its implicit one', () => {
    const old = { conventions: ['default'], defaultConvention: 'default', conventionAliases: {} };
    expect(chooseConvention('../shared/data/weibo/dev.jsonl', undefined, old)).toEqual({ convention: 'default', reason: 'model default' });
  });
});
