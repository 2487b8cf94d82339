// Replica control: acts on ReplicaCommands addressed to this replica (or `*`) and reports its state
// in ReplicaHeartbeats, periodically and right after each command. The reloader decides WHEN to
// swap; this is the mechanism. The same path serves the operators' HTTP trigger (adapters/http.ts).
import { randomUUID } from 'node:crypto';
import type { ReplicaCommand, ReplicaHeartbeat, ReplicaState, Topics } from '@zhner/contracts';
import type { Envelope, Publisher } from '@zhner/bus';
import { errorCode, errorMessage } from '@zhner/core';
import { type Logger } from '@zhner/kit';
import type { ModelManager, SwapResult } from './modelManager';
import type { ModelResolver } from './ports';
import type { TagStats } from './tagService';
import { errors } from '../errors';

export interface ReplicaControlOptions {
  replicaId: string;
  service: string;
  /** Epoch ms this replica started. */
  startedAt: number;
  /**
   * Commands issued more than this long before the replica started are skipped (they were meant for
   * an earlier incarnation; the reloader re-issues from the heartbeats). Covers clock skew and a
   * command published while the replica was starting. Ms.
   */
  commandGraceMs: number;
}

export type CommandOutcome =
  | { status: 'applied'; commandId: string; result: SwapResult }
  | { status: 'failed'; commandId: string; code: string; message: string }
  | { status: 'ignored'; commandId: string; reason: 'not_for_me' | 'duplicate' | 'stale' };

export class ReplicaControl {
  private lastCommandId: string | null = null;
  private lastCommandError: string | null = null;
  private readonly seen = new Set<string>();
  private stopping = false;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly models: ModelManager,
    private readonly publisher: Publisher,
    private readonly topic: Topics['replicaHeartbeats'],
    private readonly stats: () => TagStats,
    private readonly opts: ReplicaControlOptions,
    private readonly logger: Logger,
    /** The registry: LOAD_MODEL names a version, resolved here (never a path from the command). */
    private readonly resolver?: ModelResolver,
  ) {}

  /** Bus handler for the replica-commands topic: commands run one after the other. */
  readonly handleCommands = async (batch: Envelope<ReplicaCommand>[]): Promise<void> => {
    for (const env of batch) await this.execute(env.value);
  };

  /**
   * Runs one command if it targets this replica, then publishes a heartbeat. Never throws for a
   * failed load: the failure is reported in the outcome and the heartbeat's lastError.
   */
  async execute(cmd: ReplicaCommand): Promise<CommandOutcome> {
    const log = this.logger.child({ commandId: cmd.commandId, command: cmd.type, modelVersion: cmd.modelVersion });
    if (cmd.replicaId !== '*' && cmd.replicaId !== this.opts.replicaId) return { status: 'ignored', commandId: cmd.commandId, reason: 'not_for_me' };
    if (this.seen.has(cmd.commandId)) return { status: 'ignored', commandId: cmd.commandId, reason: 'duplicate' };
    if (cmd.issuedAt < this.opts.startedAt - this.opts.commandGraceMs) {
      log.info({ issuedAt: cmd.issuedAt }, 'skipping a command issued before this replica started');
      return { status: 'ignored', commandId: cmd.commandId, reason: 'stale' };
    }
    this.seen.add(cmd.commandId);
    this.lastCommandId = cmd.commandId;
    log.info('replica command received');
    this.busy = true;
    const loading = this.heartbeat().catch(() => undefined); // report LOADING
    let outcome: CommandOutcome;
    let location: string | undefined;
    try {
      let result: SwapResult;
      if (cmd.type === 'ROLLBACK') result = await this.models.rollback();
      else {
        // the version is resolved through the registry: the command's modelUri is never used
        if (!cmd.modelVersion) throw errors.create('MODEL_VERSION_REQUIRED');
        if (!this.resolver) throw errors.create('REGISTRY_NOT_CONFIGURED', { modelVersion: cmd.modelVersion });
        const m = await this.resolver.model(cmd.modelVersion);
        if (!m) throw errors.create('UNKNOWN_MODEL_VERSION', { modelVersion: cmd.modelVersion });
        location = m.uri;
        result = await this.models.load({ modelUri: m.uri, manifestSha256: m.manifestSha256, modelVersion: m.version });
      }
      this.lastCommandError = null;
      outcome = { status: 'applied', commandId: cmd.commandId, result };
    } catch (err) {
      // messages leave the replica (heartbeats, HTTP): the model's location is named by its version
      const message = withoutPaths(errorMessage(err), location, cmd.modelVersion);
      this.lastCommandError = `${errorCode(err)}: ${message}`;
      outcome = { status: 'failed', commandId: cmd.commandId, code: errorCode(err), message };
      log.warn({ err, location }, 'replica command failed');
    } finally {
      this.busy = false;
    }
    await loading;
    await this.heartbeat().catch((err: unknown) => log.warn({ err }, 'heartbeat after command failed'));
    return outcome;
  }

  /** A command from an operator (HTTP): same path as the bus, with a generated id. */
  operatorCommand(type: ReplicaCommand['type'], req: { modelVersion?: string | null }): Promise<CommandOutcome> {
    return this.execute({
      commandId: `admin-${randomUUID()}`,
      replicaId: this.opts.replicaId,
      type,
      modelVersion: req.modelVersion ?? '',
      modelUri: '',
      manifestSha256: null,
      issuedAt: Date.now(),
    });
  }

  state(): ReplicaState {
    if (this.stopping) return 'STOPPING';
    const s = this.models.state;
    if (s === 'LOADING' || this.busy) return 'LOADING';
    if (s === 'READY') return 'READY';
    return this.models.lastError ? 'DEGRADED' : 'STARTING';
  }

  snapshot(): ReplicaHeartbeat {
    const st = this.stats();
    const lastError = this.lastCommandError ?? (this.models.lastError ? `${this.models.lastError.code}: ${this.models.lastError.message}` : null);
    return {
      replicaId: this.opts.replicaId,
      service: this.opts.service,
      modelVersion: this.models.version ?? null,
      state: this.state(),
      lastCommandId: this.lastCommandId,
      lastError,
      docsTagged: st.docsTagged,
      errors: st.errors,
      p99LatencyMs: st.p99LatencyMs,
      at: Date.now(),
    };
  }

  async heartbeat(): Promise<void> {
    await this.publisher.publish(this.topic, [{ value: this.snapshot() }]);
  }

  /** Heartbeats every `intervalMs` until stop(). */
  startHeartbeats(intervalMs: number): void {
    if (this.timer) return;
    const beat = () =>
      this.heartbeat().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'heartbeat failed'));
    void beat();
    this.timer = setInterval(beat, intervalMs);
    this.timer.unref?.();
  }

  /** Stops the periodic heartbeats and sends a last one with state STOPPING. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.stopping) return;
    this.stopping = true;
    await this.heartbeat().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'final heartbeat failed'));
  }
}

/** `message` with the model directory (and any other absolute path) replaced by the version. */
export function withoutPaths(message: string, location: string | undefined, version: string): string {
  let out = message;
  if (location) out = out.split(location).join(`<model ${version || '?'}>`);
  return out.replace(/(?:file:\/\/)?\/(?:[^\s'"`:,()]+\/)+[^\s'"`:,()]*/g, '<path>');
}
