// Ports for processes a tool or a test starts on its own (benchmarks, chaos drills, test harness).
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now, below the ephemeral range, never the same one twice in a process. */
export async function freePort(): Promise<number> {
  // Below the kernel's ephemeral range (Linux: 32768-60999): a port the OS hands out for port 0 can
  // be taken by any outgoing connection (a Kafka client's, say) before the service binds it — a
  // fresh-clone run failed with EADDRINUSE that way. Each process walks its own stretch (from its
  // pid), skips what it handed out already and checks that nothing listens there now.
  for (let i = 0; i < LOW_PORTS; i++) {
    const port = LOW_START + ((next + i) % LOW_PORTS);
    if (handedOut.has(port)) continue;
    handedOut.add(port); // reserved before the check: concurrent callers in this process never share one
    if (await portFree(port)) {
      next = (port - LOW_START + 1) % LOW_PORTS;
      return port;
    }
  }
  throw new Error(`no free port between ${LOW_START} and ${LOW_START + LOW_PORTS - 1} on 127.0.0.1`);
}

const LOW_START = 20_000;
const LOW_PORTS = 12_000;
const handedOut = new Set<number>();
let next = (process.pid * 211) % LOW_PORTS;

/** Whether `port` on 127.0.0.1 can be listened on right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
