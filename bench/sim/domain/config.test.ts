import { ConfigError } from '@zhner/core';
import { DEFAULTS, HelpRequested, fineTuneOverrides, parseSimArgs } from './config';

function problems(argv: string[]): readonly string[] {
  try {
    parseSimArgs(argv);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('parseSimArgs', () => {
  it('has the documented defaults', () => {
    const c = parseSimArgs([]);
    expect(c.strategies.map((s) => [s.key, s.name])).toEqual([
      ['random', 'sampler.random.v1'],
      ['entropy', 'sampler.entropy.v1'],
      ['mnlp', 'sampler.mnlp.v1'],
      ['hybrid', 'sampler.hybrid.v1'],
    ]);
    expect(c).toMatchObject({ seeds: [1, 2], rounds: DEFAULTS.rounds, batch: DEFAULTS.batch, cap: 0.15, eval: null, evalHoldout: 1000, scoreSample: 3000, initFrom: 'previous', trainOn: DEFAULTS.trainOn, keepModels: false, out: null });
    expect(c.hybridPerCluster).toBe(Math.ceil((2 * DEFAULTS.batch) / DEFAULTS.hybridK));
    expect(c.evalIds).toBe('services/trainer-orchestrator/trainer/splits/cluener-dev.ids');
  });

  it('holds out the CLUENER dev split only for the default pool without another eval choice', () => {
    expect(parseSimArgs(['--pool', 'p.jsonl']).evalIds).toBeNull();
    expect(parseSimArgs(['--holdout-seed', '3']).evalIds).toBeNull();
    expect(parseSimArgs(['--eval', 'e.jsonl']).evalIds).toBeNull();
    expect(parseSimArgs(['--eval-ids', 'none']).evalIds).toBeNull();
    expect(parseSimArgs(['--pool', 'p.jsonl', '--eval-ids', 'x.ids']).evalIds).toBe('x.ids');
    expect(problems(['--eval', 'e.jsonl', '--eval-ids', 'x.ids']).join('\n')).toMatch(/--eval or --eval-ids/);
  });

  it('reads every flag', () => {
    const c = parseSimArgs(['--pool', 'p.jsonl', '--eval', 'e.jsonl', '--seeds', '3,4', '--rounds', '2', '--batch', '5', '--strategies', 'random,sampler.max-entropy.v1', '--init', 'base', '--train-on', 'new', '--trainer-set', 'training.batch_size=16', '--keep-models', '--cap', '0.2']);
    expect(c).toMatchObject({ pool: 'p.jsonl', eval: 'e.jsonl', seeds: [3, 4], rounds: 2, batch: 5, initFrom: 'base', trainOn: 'new', trainerSet: ['training.batch_size=16'], keepModels: true, cap: 0.2 });
    expect(c.strategies[1]).toEqual({ key: 'sampler.max-entropy.v1', name: 'sampler.max-entropy.v1' });
  });

  it('lists every problem at once', () => {
    const p = problems(['--batch', '0', '--strategies', 'entropy,nope', '--seeds', 'x', '--cap', '1.5', '--init', 'scratch']);
    expect(p.join('\n')).toMatch(/--batch "0" must be an integer >= 1/);
    expect(p.join('\n')).toMatch(/unknown strategy "nope"/);
    expect(p.join('\n')).toMatch(/must include random/);
    expect(p.join('\n')).toMatch(/--seeds: "x"/);
    expect(p.join('\n')).toMatch(/--cap "1.5"/);
    expect(p.join('\n')).toMatch(/--init "scratch"/);
  });

  it('rejects a hybrid that cannot fill a round', () => {
    expect(problems(['--batch', '50', '--hybrid-k', '4', '--hybrid-per-cluster', '10']).join()).toMatch(/hybrid could not fill a round/);
  });

  it('rejects unknown flags and answers --help', () => {
    expect(problems(['--bogus']).join()).toMatch(/bogus/);
    expect(() => parseSimArgs(['--help'])).toThrow(HelpRequested);
  });
});

describe('fineTuneOverrides', () => {
  it('fixes the epochs, turns early stopping and the INT8 export off and ends with the user overrides', () => {
    const o = fineTuneOverrides(parseSimArgs(['--epochs', '3', '--trainer-set', 'training.epochs=4']), 7);
    expect(o).toEqual(expect.arrayContaining(['training.epochs=3', 'training.patience=0', 'system.seed=7', 'export.quantize=false', 'export.int8_check_docs=0']));
    expect(o[o.length - 1]).toBe('training.epochs=4');
  });
});
