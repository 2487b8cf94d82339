import { PlatformError } from '@zhner/core';
import { createLogger } from '@zhner/kit';
import { FakeLoader } from '../testing/fakeEngine';
import { ModelManager, type SwapResult } from './modelManager';
import { noMetrics } from './ports';

const logger = createLogger('test', { level: 'silent' });

function manager(loader = new FakeLoader()) {
  const swaps: SwapResult[] = [];
  const m = new ModelManager(loader, { load: { precision: 'int8', intraOpThreads: 1, interOpThreads: 1 }, warmupTexts: ['北京欢迎你。', '上海'], baseDir: '/repo' }, { logger, metrics: noMetrics, onSwap: (r) => swaps.push(r) });
  return { m, loader, swaps };
}

describe('ModelManager', () => {
  it('loads, warms up and serves a version; relative URIs resolve against the base directory', async () => {
    const { m, loader, swaps } = manager();
    expect(m.state).toBe('EMPTY');
    expect(m.acquire()).toBeUndefined();
    const r = await m.load({ modelUri: 'models/v1' });
    expect(r).toMatchObject({ modelVersion: 'v1', previousVersion: null, changed: true });
    expect(loader.loads[0]).toMatchObject({ dir: '/repo/models/v1', opts: { precision: 'int8', intraOpThreads: 1 } });
    expect(loader.engines[0].runs.length).toBeGreaterThan(0); // warmed up before serving
    expect(m.state).toBe('READY');
    expect(swaps).toHaveLength(1);
  });

  it('a failed load leaves the old version serving and reports the error', async () => {
    const { m, loader } = manager();
    await m.load({ modelUri: '/m/v1' });
    loader.failures.set('/m/bad', new PlatformError('MODEL_CHECKSUM_MISMATCH', 'model.onnx: sha256 differs from the manifest'));
    await expect(m.load({ modelUri: '/m/bad' })).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    expect(m.version).toBe('v1');
    expect(m.lastError).toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH', modelUri: '/m/bad' });
    await m.load({ modelUri: '/m/v2' });
    expect(m.lastError).toBeUndefined();
  });

  it('checks the manifest sha256 and the expected version', async () => {
    const { m, loader } = manager();
    await m.load({ modelUri: '/m/v1' });
    await expect(m.load({ modelUri: '/m/v2', manifestSha256: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'MODEL_CHECKSUM_MISMATCH' });
    await expect(m.load({ modelUri: '/m/v2', modelVersion: 'v9' })).rejects.toMatchObject({ code: 'MODEL_VERSION_MISMATCH' });
    expect(loader.engines[1].disposed).toBe(true); // the refused engine is released
    expect(m.version).toBe('v1');
  });

  it('does nothing when the requested version already serves', async () => {
    const { m, loader } = manager();
    await m.load({ modelUri: '/m/v1' });
    expect(await m.load({ modelUri: '/m/v1', modelVersion: 'v1' })).toMatchObject({ changed: false, modelVersion: 'v1' });
    expect(loader.loads).toHaveLength(1);
  });

  it('rolls back to the version served before, and refuses without one', async () => {
    const { m } = manager();
    await m.load({ modelUri: '/m/v1' });
    await expect(m.rollback()).rejects.toMatchObject({ code: 'NO_PREVIOUS_MODEL' });
    await m.load({ modelUri: '/m/v2' });
    expect(await m.rollback()).toMatchObject({ modelVersion: 'v1', previousVersion: 'v2' });
    expect(m.version).toBe('v1');
  });

  it('serialises loads and disposes a retired version only after its last lease', async () => {
    const { m, loader } = manager();
    loader.loadDelayMs = 10;
    const a = m.load({ modelUri: '/m/v1' });
    const b = m.load({ modelUri: '/m/v2' });
    expect(m.state).toBe('LOADING');
    await a;
    const lease = m.acquire()!;
    expect(lease.engine.version).toBe('v1');
    await b;
    expect(m.version).toBe('v2');
    const v1 = loader.engines[0];
    expect(v1.disposed).toBe(false);
    lease.release();
    lease.release(); // idempotent
    await new Promise((r) => setTimeout(r, 0));
    expect(v1.disposed).toBe(true);
    await m.close();
    expect(loader.engines[1].disposed).toBe(true);
    await expect(m.load({ modelUri: '/m/v3' })).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
  });
});
