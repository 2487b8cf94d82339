// The reloader's environment variables (bus, store and HTTP variables come from runStandalone).
import { adminConfigSpec } from '@zhner/kit';
import { env, type ConfigOf } from '@zhner/core';

export const configSpec = {
  registryUrl: env.optional(
    env.url('REGISTRY_URL', { doc: "The model registry (the trainer-orchestrator's base URL): POST /rollouts names a version, resolved there (paths are refused). Unset: only PUBLISHED events start rollouts" }),
  ),
  autoRollout: env.bool('AUTO_ROLLOUT', { default: true, doc: 'Start a rollout when a model version is PUBLISHED' }),
  staleAfterMs: env.durationMs('REPLICA_STALE_AFTER', { default: '30s', min: 100, doc: 'A replica not heard from for this long is gone' }),
  canarySoakMs: env.durationMs('CANARY_SOAK', { default: '30s', doc: 'How long the canary must stay healthy on the new version before all replicas get it' }),
  canaryMaxErrors: env.int('CANARY_MAX_ERRORS', { default: 0, min: 0, doc: 'Errors the canary may add during the soak' }),
  stepTimeoutMs: env.durationMs('ROLLOUT_STEP_TIMEOUT', { default: '2m', min: 100, doc: 'Longest wait for one step (a canary, the canary load, all replicas) before rolling back' }),
  tickMs: env.durationMs('ROLLOUT_TICK', { default: '500ms', min: 10, doc: 'How often the active rollout is re-examined (also after every heartbeat batch)' }),
  reconcile: env.bool('RECONCILE', { default: true, doc: 'Send the last completed rollout\'s version to live replicas running another one (e.g. restarted)' }),
  // ADMIN_TOKEN, INSECURE_OPEN_ADMIN: admin routes are closed unless a token is set (kit)
  ...adminConfigSpec,
};

export type ReloaderConfig = ConfigOf<typeof configSpec>;
