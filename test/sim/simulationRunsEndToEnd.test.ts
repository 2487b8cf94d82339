// The active-learning simulation end to end on a TINY configuration, with the real trainer job
// (Python), the real TypeScript runtime and the sampler's selection: a pool of 60 sentences (20 held
// out as the eval set), 2 rounds of B = 5, random vs hybrid, one seed, 1-epoch fine-tunes with a
// 300-sentence replay corpus. Checks the JSON line, summary.json, curves.csv, curves.svg and the
// per-round log. About a minute on two cores (four fine-tunes).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsNode } from '@zhner/test';

const repo = path.resolve(__dirname, '..', '..');
const data = path.resolve(repo, '..', 'shared', 'data');

describe('npm run sim:al on a tiny configuration', () => {
  let dir: string;
  let out: string;
  let stdout: string;
  let status: number | null;
  let stderr: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zhner-sim-'));
    const pool = path.join(dir, 'pool.jsonl');
    writeFileSync(pool, readFileSync(path.join(data, 'cluener', 'train.jsonl'), 'utf8').split('\n').slice(0, 60).join('\n') + '\n');
    out = path.join(dir, 'run');
    const run = tsNode('bench/sim/simulate.ts');
    const r = spawnSync(
      run.cmd,
      [
        ...run.args,
        '--pool', pool, '--eval-holdout', '20',
        '--replay', path.join(data, 'msra', 'train.jsonl'), '--replay-limit', '300',
        '--strategies', 'random,hybrid', '--seeds', '7', '--rounds', '2', '--batch', '5',
        '--score-sample', '0', '--hybrid-k', '3', '--epochs', '1', '--threads', '2',
        '--out', out,
      ],
      { cwd: repo, encoding: 'utf8', timeout: 280_000, env: { ...process.env, FORCE_COLOR: '0' } },
    );
    stdout = r.stdout;
    stderr = r.stderr;
    status = r.status;
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints progress lines, then the summary JSON line last', () => {
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines.some((l) => /^\[sim\] seed 7 round 2\/2 hybrid: \+5 .* F1 \d+\.\d\d/.test(l))).toBe(true);
    const summary = JSON.parse(lines[lines.length - 1]);
    expect(summary.labels).toEqual([0, 5, 10]);
    expect(Object.keys(summary.f1).sort()).toEqual(['hybrid', 'random']);
    for (const curve of Object.values(summary.f1) as number[][]) {
      expect(curve).toHaveLength(3);
      for (const f of curve) {
        expect(f).toBeGreaterThanOrEqual(0);
        expect(f).toBeLessThanOrEqual(1);
      }
    }
    expect(summary.f1.hybrid[0]).toBe(summary.f1.random[0]); // round 0 = the same base model
    expect(summary.f1.random[0]).toBeCloseTo(summary.base.f1, 4);
    expect(Object.keys(summary.labels_to_match_random).sort()).toEqual(['hybrid', 'random']);
    for (const v of Object.values(summary.labels_to_match_random)) expect(v === null || (typeof v === 'number' && v >= 0 && v <= 10)).toBe(true);
    expect(summary.random_final).toEqual({ labels: 10, f1: summary.f1.random[2] });
    expect(summary.target.hybrid).toEqual(expect.objectContaining({ met: expect.any(Boolean), maxGainPoints: expect.any(Number) }));
    expect(summary.config).toMatchObject({ rounds: 2, batch: 5, seeds: [7], cap: 0.15, evalSize: 20, poolSize: 40, strategies: { random: 'sampler.random.v1', hybrid: 'sampler.hybrid.v1' } });
    expect(summary.config.evaluation).toMatch(/held out of the pool: 20 sentences/);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(summary);
  });

  it('writes curves.csv with a row per strategy, seed and round', () => {
    const rows = readFileSync(path.join(out, 'curves.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('strategy,seed,round,labels,f1,precision,recall');
    const body = rows.slice(1).map((r) => r.split(','));
    expect(body).toHaveLength(6);
    expect(body.map((r) => `${r[0]}:${r[1]}:${r[2]}:${r[3]}`).sort()).toEqual(['hybrid:7:0:0', 'hybrid:7:1:5', 'hybrid:7:2:10', 'random:7:0:0', 'random:7:1:5', 'random:7:2:10']);
    for (const r of body) for (const v of r.slice(4)) expect(Number(v)).toBeGreaterThanOrEqual(0);
  });

  it('writes curves.svg: an SVG document with a line and a legend entry per strategy', () => {
    const svg = readFileSync(path.join(out, 'curves.svg'), 'utf8').trim();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>random</text>');
    expect(svg).toContain('>hybrid</text>');
  });

  it('logs every round: B new documents, never an eval document, the new share within the cap', () => {
    const rounds = readFileSync(path.join(out, 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rounds).toHaveLength(4);
    const evalIds = new Set(readFileSync(path.join(out, 'eval-ids.txt'), 'utf8').trim().split('\n'));
    expect(evalIds.size).toBe(20);
    for (const strategy of ['random', 'hybrid']) {
      const mine = rounds.filter((r) => r.strategy === strategy);
      const ids = mine.flatMap((r) => r.selection.selected.map((s: { id: string }) => s.id));
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
      for (const id of ids) expect(evalIds.has(id)).toBe(false);
      for (const r of mine) {
        expect(r.trainingSet.share).toBeLessThanOrEqual(0.15);
        expect(r.trainingSet.nNew).toBe(5); // --train-on new (the default): the round's labels
        expect(r.trainingSet.nReplay).toBe(29); // ceil(5 · 0.85 / 0.15)
        expect(r.trainer.version).toMatch(/^zh-ner-/);
      }
    }
    // only each chain's last model is kept
    expect(existsSync(path.join(out, 'runs', 's7', 'hybrid', 'r2', 'model', 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(out, 'runs', 's7', 'hybrid', 'r1', 'model'))).toBe(false);
  });
});
