import net from 'node:net';
import { freePort, portFree } from './net';

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()));
    expect(new Set(ports).size).toBe(5);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(32_768);
      expect(await portFree(p)).toBe(true);
    }
    // a port somebody listens on is skipped
    const srv = net.createServer();
    const taken = await freePort();
    await new Promise<void>((r) => srv.listen(taken, '127.0.0.1', r));
    try {
      expect(await portFree(taken)).toBe(false);
      expect(await freePort()).not.toBe(taken);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
