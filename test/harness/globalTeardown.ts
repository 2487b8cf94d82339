// Containers started by globalSetup are stopped; the local launchers keep running (they are
// idempotent and reused by the next run; `npm run infra:down` stops them).
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as { __zhnerStopContainers?: () => Promise<void> }).__zhnerStopContainers;
  if (stop) await stop();
}
