// A stand-in tagger replica for tests of the rollout protocol: it consumes ReplicaCommands through
// the bus (its own consumer group, as a real replica), "loads" a model by taking its version (or
// fails, as told), swaps back on ROLLBACK, and publishes ReplicaHeartbeats periodically and right
// after each command, with lastCommandId / modelVersion / state / lastError as the tagger does.
import type { Bus, Subscription } from '@zhner/bus';
import type { ReplicaCommand, ReplicaHeartbeat, ReplicaState, Topics } from '@zhner/contracts';

export interface FakeReplicaOptions {
  replicaId: string;
  initialVersion: string | null;
  /** Heartbeat period, ms. Default 200. */
  heartbeatMs?: number;
  /** How long a LOAD_MODEL takes, ms (state LOADING meanwhile). Default 50. */
  loadMs?: number;
  /** Decides a LOAD_MODEL's outcome: undefined = success, a string = the load fails with that error. */
  loadOutcome?: (cmd: ReplicaCommand) => string | undefined;
  /** Consumer group of the replica's command subscription. Default `fake-replica-<id>-<time>`. */
  groupId?: string;
}

export class FakeReplica {
  modelVersion: string | null;
  state: ReplicaState = 'READY';
  lastCommandId: string | null = null;
  lastError: string | null = null;
  errors = 0;
  docsTagged = 0;
  /** Every command addressed to this replica, in order. */
  readonly received: ReplicaCommand[] = [];
  private readonly previous: Array<string | null> = [];
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private silent = false;
  private startedAt = 0;

  constructor(
    private readonly bus: Bus,
    private readonly topics: Pick<Topics, 'replicaCommands' | 'replicaHeartbeats'>,
    private readonly opts: FakeReplicaOptions,
  ) {
    this.modelVersion = opts.initialVersion;
  }

  get replicaId(): string {
    return this.opts.replicaId;
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    this.sub = await this.bus.subscribe({
      groupId: this.opts.groupId ?? `fake-replica-${this.opts.replicaId}-${Date.now()}`,
      topics: [this.topics.replicaCommands],
      handler: async (batch) => {
        for (const { value } of batch) await this.execute(value);
      },
    });
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), this.opts.heartbeatMs ?? 200);
  }

  private async execute(cmd: ReplicaCommand): Promise<void> {
    if (cmd.replicaId !== '*' && cmd.replicaId !== this.opts.replicaId) return;
    if (cmd.issuedAt < this.startedAt) return; // meant for an earlier incarnation (as the tagger does)
    this.received.push(cmd);
    this.lastCommandId = cmd.commandId;
    this.state = 'LOADING';
    await this.heartbeat();
    await new Promise((r) => setTimeout(r, this.opts.loadMs ?? 50));
    if (cmd.type === 'ROLLBACK') {
      this.modelVersion = this.previous.pop() ?? this.modelVersion;
      this.lastError = null;
    } else {
      const failure = this.opts.loadOutcome?.(cmd);
      if (failure) this.lastError = failure;
      else {
        if (this.modelVersion !== cmd.modelVersion) this.previous.push(this.modelVersion);
        this.modelVersion = cmd.modelVersion;
        this.lastError = null;
      }
    }
    this.state = 'READY';
    await this.heartbeat();
  }

  /** Reports a runtime problem (e.g. inference failing) in the next heartbeats. */
  async fail(error: string, state: ReplicaState = 'READY'): Promise<void> {
    this.lastError = error;
    this.state = state;
    this.errors++;
    await this.heartbeat();
  }

  /** Stops heartbeats without a STOPPING one (a crash, as far as the reloader can tell). */
  goSilent(): void {
    this.silent = true;
  }

  snapshot(): ReplicaHeartbeat {
    return {
      replicaId: this.opts.replicaId,
      service: 'tagger',
      modelVersion: this.modelVersion,
      state: this.state,
      lastCommandId: this.lastCommandId,
      lastError: this.lastError,
      docsTagged: this.docsTagged,
      errors: this.errors,
      p99LatencyMs: 12.5,
      at: Date.now(),
    };
  }

  async heartbeat(): Promise<void> {
    if (this.silent) return;
    await this.bus.publish(this.topics.replicaHeartbeats, [{ value: this.snapshot() }]);
  }

  /** Stops like a tagger replica: a last heartbeat with state STOPPING, then leaves the command group. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.state = 'STOPPING';
    await this.heartbeat().catch(() => undefined);
    await this.sub?.stop();
  }
}
