import { LineSplitter, parseTrainerLine } from './progress';

describe('parseTrainerLine', () => {
  it('reads a PROGRESS line as printed by zhner_trainer', () => {
    const line = 'PROGRESS {"epoch":2,"step":1340,"loss":2.10512,"dev":{"precision":0.81,"recall":0.79,"f1":0.8},"elapsed_s":81.2,"best_f1":0.8}';
    expect(parseTrainerLine(line)).toEqual({
      kind: 'progress',
      progress: { epoch: 2, step: 1340, loss: 2.10512, dev: { precision: 0.81, recall: 0.79, f1: 0.8 }, elapsedS: 81.2, bestF1: 0.8 },
    });
  });

  it('reads RESULT (version, best epoch, dev) and keeps the raw payload', () => {
    const r = parseTrainerLine('RESULT {"out_dir":"/m/run","version":"zh-ner-bilstm-crf-20250101-abcd1234","best_epoch":3,"dev":{"precision":0.9,"recall":0.8,"f1":0.85},"extra_dev":{},"elapsed_s":12.5,"int8":null}\r');
    expect(r).toMatchObject({ kind: 'result', result: { outDir: '/m/run', version: 'zh-ner-bilstm-crf-20250101-abcd1234', bestEpoch: 3, dev: { f1: 0.85 }, elapsedS: 12.5 } });
    expect(parseTrainerLine('RESULT {"out_dir":"/m","version":null,"best_epoch":1,"dev":null}')).toMatchObject({ kind: 'result', result: { version: null, dev: null } });
  });

  it('reads ERROR lines with their code', () => {
    expect(parseTrainerLine('ERROR {"code":"E_CONFIG","message":"training.patience: must be >= 0","key":"training.patience"}')).toMatchObject({
      kind: 'error',
      error: { code: 'E_CONFIG', message: 'training.patience: must be >= 0' },
    });
  });

  it('flags malformed machine lines instead of throwing, and passes logs through', () => {
    expect(parseTrainerLine('PROGRESS {not json')).toMatchObject({ kind: 'malformed' });
    expect(parseTrainerLine('PROGRESS {"epoch":1}')).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/dev/) });
    expect(parseTrainerLine('PROGRESS [1,2]')).toMatchObject({ kind: 'malformed' });
    expect(parseTrainerLine('RESULT {"version":"v"}')).toMatchObject({ kind: 'malformed' });
    expect(parseTrainerLine('[trainer] data: 120 train segments')).toEqual({ kind: 'log', line: '[trainer] data: 120 train segments' });
    expect(parseTrainerLine('PROGRESSIVE rock')).toMatchObject({ kind: 'log' });
  });
});

describe('LineSplitter', () => {
  it('splits chunks at newlines, keeps partial lines and multi-byte characters across chunks', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('第一行\nPROGRESS {"a":"北京"}\n最后', 'utf8');
    // cut inside a multi-byte character
    s.push(bytes.subarray(0, 4));
    expect(lines).toEqual([]);
    s.push(bytes.subarray(4, 20));
    expect(lines).toEqual(['第一行']);
    s.push(bytes.subarray(20));
    expect(lines).toEqual(['第一行', 'PROGRESS {"a":"北京"}']);
    s.end();
    expect(lines).toEqual(['第一行', 'PROGRESS {"a":"北京"}', '最后']);
  });
});
