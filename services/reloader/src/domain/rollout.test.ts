import { errors } from '../errors';
import { advance, forceRollback, isLive, newRollout, reconcileCommands, type ReplicaView, type Rollout, type RolloutEffect, type RolloutPolicy } from './rollout';

const policy: RolloutPolicy = { staleAfterMs: 30_000, stepTimeoutMs: 60_000, canarySoakMs: 10_000, canaryMaxErrors: 0 };
const T0 = 1_000_000;

const rep = (replicaId: string, over: Partial<ReplicaView> = {}): ReplicaView => ({ replicaId, modelVersion: 'v1', state: 'READY', lastCommandId: null, lastError: null, errors: 0, lastSeen: T0, ...over });
const start = (over: Partial<Parameters<typeof newRollout>[0]> = {}) =>
  newRollout({ rolloutId: 'ro-1', modelVersion: 'v2', modelUri: '/models/v2', manifestSha256: 'abc', previousVersion: 'v1', previousUri: '/models/v1', trigger: 'event', ...over }, T0);

const commands = (effects: RolloutEffect[]) => effects.filter((e) => e.kind === 'command').map((e) => (e as Extract<RolloutEffect, { kind: 'command' }>).command);
const events = (effects: RolloutEffect[]) => effects.filter((e) => e.kind === 'event').map((e) => (e as Extract<RolloutEffect, { kind: 'event' }>));

/** Drives a rollout to the soak phase with replicas a (canary), b, c. */
function toSoak(): { r: Rollout; now: number } {
  let now = T0;
  let t = advance(start(), [rep('a'), rep('b'), rep('c')], now, policy);
  now += 1000;
  t = advance(t.rollout, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', lastSeen: now }), rep('b', { lastSeen: now }), rep('c', { lastSeen: now })], now, policy);
  expect(t.rollout).toMatchObject({ state: 'canary', phase: 'soak' });
  return { r: t.rollout, now };
}

describe('pending', () => {
  it('sends LOAD_MODEL to one live READY replica (the first by id) and enters canary/loading', () => {
    const t = advance(start(), [rep('b'), rep('a', { state: 'LOADING' }), rep('c'), rep('z', { lastSeen: T0 - 31_000 })], T0, policy);
    expect(t.rollout).toMatchObject({ state: 'canary', phase: 'loading', canaryReplica: 'b', commands: { canary: 'ro-1.canary' }, priorVersions: { b: 'v1' } });
    expect(commands(t.effects)).toEqual([{ commandId: 'ro-1.canary', replicaId: 'b', type: 'LOAD_MODEL', modelVersion: 'v2', modelUri: '/models/v2', manifestSha256: 'abc', issuedAt: T0 }]);
    expect(t.rollout.steps.map((s) => s.event)).toEqual(['created', 'canary_command']);
  });

  it('waits without live replicas, then fails after the step timeout (nothing to roll back)', () => {
    const stale = rep('a', { lastSeen: T0 - 40_000 });
    const wait = advance(start(), [stale], T0 + 59_000, policy);
    expect(wait.rollout.state).toBe('pending');
    expect(wait.effects).toEqual([]);
    const t = advance(start(), [stale], T0 + 61_000, policy);
    expect(t.rollout).toMatchObject({ state: 'failed', reason: 'no live replica within 60s' });
    expect(commands(t.effects)).toEqual([]);
    expect(events(t.effects)).toEqual([{ kind: 'event', type: 'ROLLED_BACK', eventId: 'ro-1.rolled_back', reason: 'no live replica within 60s' }]);
  });

  it('treats STOPPING replicas as gone and waits for a READY one', () => {
    const t = advance(start(), [rep('a', { state: 'STOPPING' }), rep('b', { state: 'STARTING' })], T0, policy);
    expect(t.rollout.state).toBe('pending');
    expect(advance(start(), [rep('b', { state: 'STARTING', lastSeen: T0 + 60_001 })], T0 + 60_001, policy).rollout.reason).toMatch(/no READY replica/);
  });

  it('completes at once when every live replica already serves the version', () => {
    const t = advance(start(), [rep('a', { modelVersion: 'v2' }), rep('b', { modelVersion: 'v2' })], T0, policy);
    expect(t.rollout).toMatchObject({ state: 'completed', finishedAt: T0 });
    expect(events(t.effects)).toEqual([{ kind: 'event', type: 'PROMOTED', eventId: 'ro-1.promoted', reason: null }]);
  });

  it('takes the previous version from the canary when the event had none', () => {
    const t = advance(start({ previousVersion: null }), [rep('a', { modelVersion: 'v0' })], T0, policy);
    expect(t.rollout.previousVersion).toBe('v0');
  });
});

describe('canary: loading', () => {
  const loading = () => advance(start(), [rep('a'), rep('b')], T0, policy).rollout;

  it('waits while the canary is LOADING, even with the previous command\'s error still shown', () => {
    const t = advance(loading(), [rep('a', { state: 'LOADING', lastCommandId: 'ro-1.canary', lastError: 'old error' }), rep('b')], T0 + 500, policy);
    expect(t.rollout).toMatchObject({ state: 'canary', phase: 'loading' });
    expect(t.effects).toEqual([]);
  });

  it('ignores heartbeats for other commands, then starts the soak on READY + version + command id', () => {
    const r = loading();
    const other = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'someone-else' }), rep('b')], T0 + 500, policy);
    expect(other.rollout.phase).toBe('loading');
    const t = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', errors: 7 }), rep('b')], T0 + 800, policy);
    expect(t.rollout).toMatchObject({ state: 'canary', phase: 'soak', soakStartedAt: T0 + 800, baselineErrors: 7, switched: ['a'] });
  });

  it('rolls back when the canary reports a load error (nothing switched: no ROLLBACK command)', () => {
    const t = advance(loading(), [rep('a', { lastCommandId: 'ro-1.canary', lastError: 'MODEL_CHECKSUM_MISMATCH: model.onnx' }), rep('b')], T0 + 900, policy);
    expect(t.rollout).toMatchObject({ state: 'rolled_back', reason: 'canary a failed to load v2: MODEL_CHECKSUM_MISMATCH: model.onnx', finishedAt: T0 + 900 });
    expect(commands(t.effects)).toEqual([]);
    expect(events(t.effects)).toMatchObject([{ type: 'ROLLED_BACK', reason: expect.stringMatching(/CHECKSUM/) }]);
  });

  it('rolls back when the canary becomes DEGRADED after the command', () => {
    const t = advance(loading(), [rep('a', { lastCommandId: 'ro-1.canary', state: 'DEGRADED', modelVersion: null }), rep('b')], T0 + 900, policy);
    expect(t.rollout.reason).toMatch(/DEGRADED/);
  });

  it('rolls back when the canary disappears', () => {
    const t = advance(loading(), [rep('b', { lastSeen: T0 + 40_000 })], T0 + 40_000, policy);
    expect(t.rollout).toMatchObject({ state: 'rolled_back', reason: 'canary a stopped sending heartbeats' });
  });

  it('rolls back after the step timeout', () => {
    const t = advance(loading(), [rep('a', { lastSeen: T0 + 60_500 }), rep('b', { lastSeen: T0 + 60_500 })], T0 + 60_500, policy);
    expect(t.rollout).toMatchObject({ state: 'rolled_back', reason: 'canary a did not report v2 READY within 60s' });
  });
});

describe('canary: soak', () => {
  it('stays in soak until the soak time has passed, then sends LOAD_MODEL to *', () => {
    const { r, now } = toSoak();
    const healthy = (at: number) => [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', lastSeen: at }), rep('b', { lastSeen: at }), rep('c', { lastSeen: at })];
    const mid = advance(r, healthy(now + 5000), now + 5000, policy);
    expect(mid.rollout.phase).toBe('soak');
    const t = advance(r, healthy(now + 10_000), now + 10_000, policy);
    expect(t.rollout).toMatchObject({ state: 'rolling', phase: null, targets: ['a', 'b', 'c'], commands: { all: 'ro-1.all' }, priorVersions: { a: 'v1', b: 'v1', c: 'v1' } });
    expect(commands(t.effects)).toEqual([expect.objectContaining({ commandId: 'ro-1.all', replicaId: '*', type: 'LOAD_MODEL', modelVersion: 'v2' })]);
  });

  it.each([
    ['an error', { lastError: 'inference failed: OrtRun' }, /reported an error during the soak: inference failed/],
    ['DEGRADED', { state: 'DEGRADED' as const }, /became DEGRADED/],
    ['a version change', { modelVersion: 'v1' }, /no longer serves v2 \(now v1\)/],
    ['new errors', { errors: 1 }, /logged 1 errors during the soak \(at most 0 allowed\)/],
  ])('rolls back the canary on %s: ROLLBACK to the canary, ROLLED_BACK', (_what, over, reason) => {
    const { r, now } = toSoak();
    const t = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', lastSeen: now + 2000, ...over }), rep('b', { lastSeen: now + 2000 })], now + 2000, policy);
    expect(t.rollout.state).toBe('rolled_back');
    expect(t.rollout.reason).toMatch(reason);
    expect(commands(t.effects)).toEqual([{ commandId: 'ro-1.rollback.a', replicaId: 'a', type: 'ROLLBACK', modelVersion: 'v1', modelUri: '/models/v1', manifestSha256: null, issuedAt: now + 2000 }]);
    expect(events(t.effects)).toEqual([{ kind: 'event', type: 'ROLLED_BACK', eventId: 'ro-1.rolled_back', reason: t.rollout.reason }]);
    expect(t.rollout.steps.slice(-2).map((s) => s.event)).toEqual(['failure', 'rolled_back']);
  });

  it('tolerates errors up to CANARY_MAX_ERRORS', () => {
    const { r, now } = toSoak();
    const t = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', errors: 2, lastSeen: now + 1 })], now + 1, { ...policy, canaryMaxErrors: 2 });
    expect(t.rollout.state).toBe('canary');
  });

  it('rolls back when the canary disappears during the soak', () => {
    const { r, now } = toSoak();
    expect(advance(r, [], now + 1000, policy).rollout.reason).toBe('canary a stopped sending heartbeats');
  });
});

describe('rolling', () => {
  function toRolling(): { r: Rollout; now: number } {
    const { r, now } = toSoak();
    const at = now + 10_000;
    const t = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', lastSeen: at }), rep('b', { lastSeen: at }), rep('c', { lastSeen: at })], at, policy);
    expect(t.rollout.state).toBe('rolling');
    return { r: t.rollout, now: at };
  }
  const on = (id: string, at: number, over: Partial<ReplicaView> = {}) => rep(id, { modelVersion: 'v2', lastCommandId: 'ro-1.all', lastSeen: at, ...over });

  it('waits for every target, records who switched, completes with PROMOTED', () => {
    const { r, now } = toRolling();
    const partial = advance(r, [on('a', now + 1), on('b', now + 1), rep('c', { lastSeen: now + 1, state: 'LOADING', lastCommandId: 'ro-1.all' })], now + 1, policy);
    expect(partial.rollout).toMatchObject({ state: 'rolling', switched: ['a', 'b'] });
    const t = advance(partial.rollout, [on('a', now + 2), on('b', now + 2), on('c', now + 2)], now + 2, policy);
    expect(t.rollout).toMatchObject({ state: 'completed', switched: ['a', 'b', 'c'], finishedAt: now + 2 });
    expect(events(t.effects)).toEqual([{ kind: 'event', type: 'PROMOTED', eventId: 'ro-1.promoted', reason: null }]);
    // the canary switched during the canary step already
    expect(t.rollout.steps.map((s) => s.event)).toEqual(['created', 'canary_command', 'canary_ready', 'rolling_command', 'replica_switched', 'replica_switched', 'completed']);
  });

  it('stops waiting for a replica that disappears', () => {
    const { r, now } = toRolling();
    const at = now + 31_000;
    const t = advance(r, [on('a', at), on('b', at), rep('c', { lastSeen: now - 1 })], at, policy);
    expect(t.rollout.state).toBe('completed');
    expect(t.rollout.targets).toEqual(['a', 'b']);
    expect(t.rollout.steps.some((s) => s.event === 'replica_gone' && s.replicas?.[0] === 'c')).toBe(true);
  });

  it('rolls back every switched replica when one fails to load', () => {
    const { r, now } = toRolling();
    const t = advance(r, [on('a', now + 5), on('b', now + 5), rep('c', { lastSeen: now + 5, lastCommandId: 'ro-1.all', lastError: 'MODEL_NOT_FOUND: /models/v2' })], now + 5, policy);
    expect(t.rollout).toMatchObject({ state: 'rolled_back', reason: 'replica c failed to load v2: MODEL_NOT_FOUND: /models/v2' });
    expect(commands(t.effects).map((c) => [c.replicaId, c.type, c.modelVersion])).toEqual([
      ['a', 'ROLLBACK', 'v1'],
      ['b', 'ROLLBACK', 'v1'],
    ]);
  });

  it('rolls back after the step timeout, naming the replicas it waited for', () => {
    const { r, now } = toRolling();
    const at = now + 60_001;
    const t = advance(r, [on('a', at), rep('b', { lastSeen: at }), rep('c', { lastSeen: at })], at, policy);
    expect(t.rollout.reason).toBe('replica(s) b, c did not report v2 READY within 60s');
    expect(commands(t.effects).map((c) => c.replicaId)).toEqual(['a']);
  });

  it('fails when every target disappears', () => {
    const { r, now } = toRolling();
    expect(advance(r, [], now + 31_000, policy).rollout.reason).toMatch(/every replica stopped/);
  });
});

describe('terminal states and forced rollback', () => {
  it('never changes a terminal rollout', () => {
    const done = advance(start(), [rep('a', { modelVersion: 'v2' })], T0, policy).rollout;
    const again = advance(done, [rep('a', { state: 'DEGRADED' })], T0 + 1, policy);
    expect(again.rollout).toBe(done);
    expect(again.effects).toEqual([]);
  });

  it('an operator rollback during the soak undoes the canary', () => {
    const { r, now } = toSoak();
    const t = forceRollback(r, now + 1, 'forced by operator: latency');
    expect(t.rollout).toMatchObject({ state: 'rolled_back', reason: 'forced by operator: latency' });
    expect(commands(t.effects).map((c) => c.replicaId)).toEqual(['a']);
    expect(t.rollout.steps.at(-2)?.event).toBe('forced_rollback');
  });

  it('an operator rollback of a completed rollout undoes every switched replica', () => {
    const { r, now } = toSoak();
    let t = advance(r, [rep('a', { modelVersion: 'v2', lastCommandId: 'ro-1.canary', lastSeen: now + 10_000 }), rep('b', { lastSeen: now + 10_000 })], now + 10_000, policy);
    t = advance(t.rollout, [rep('a', { modelVersion: 'v2', lastSeen: now + 10_001 }), rep('b', { modelVersion: 'v2', lastSeen: now + 10_001 })], now + 10_001, policy);
    expect(t.rollout.state).toBe('completed');
    const back = forceRollback(t.rollout, now + 20_000, 'forced');
    expect(back.rollout.state).toBe('rolled_back');
    expect(commands(back.effects).map((c) => c.replicaId)).toEqual(['a', 'b']);
    expect(events(back.effects)).toMatchObject([{ type: 'ROLLED_BACK', reason: 'forced' }]);
  });

  it('an operator rollback of a pending rollout fails it; a rolled-back one cannot be rolled back again', () => {
    const t = forceRollback(start(), T0 + 1, 'cancelled');
    expect(t.rollout.state).toBe('failed');
    let refused: unknown;
    try {
      forceRollback(t.rollout, T0 + 2, 'again');
    } catch (err) {
      refused = err;
    }
    expect(errors.is(refused, 'ROLLOUT_FINISHED')).toBe(true);
    expect(refused).toMatchObject({ code: 'CONFLICT', status: 409, message: 'rollout ro-1 is failed: nothing to roll back' });
  });
});

describe('isLive and reconcileCommands', () => {
  it('judges liveness by the last heartbeat', () => {
    expect(isLive(rep('a', { lastSeen: T0 - 30_000 }), T0, 30_000)).toBe(true);
    expect(isLive(rep('a', { lastSeen: T0 - 30_001 }), T0, 30_000)).toBe(false);
  });

  it('sends the desired version to live replicas that run another one, once per window', () => {
    const desired = { modelVersion: 'v2', modelUri: '/models/v2', manifestSha256: 'abc' };
    const cmds = reconcileCommands(desired, [rep('a', { modelVersion: 'v2' }), rep('b'), rep('c', { state: 'LOADING' }), rep('d', { lastSeen: 0 })], T0, policy);
    expect(cmds).toEqual([{ commandId: `reconcile.v2.b.${Math.floor(T0 / 60_000)}`, replicaId: 'b', type: 'LOAD_MODEL', modelVersion: 'v2', modelUri: '/models/v2', manifestSha256: 'abc', issuedAt: T0 }]);
    expect(reconcileCommands(desired, [rep('b', { lastCommandId: cmds[0].commandId, lastError: 'x' })], T0, policy)).toEqual([]);
    expect(reconcileCommands(null, [rep('b')], T0, policy)).toEqual([]);
  });
});
