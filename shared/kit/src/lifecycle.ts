import type { Logger } from 'pino';
import { IllegalStateError } from '@zhner/core';

export type LifecycleState = 'INITIALIZED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

interface Step {
  name: string;
  run: () => Promise<void> | void;
}

/**
 * Start/stop bookkeeping for a service: INITIALIZED → STARTING → RUNNING → STOPPING → STOPPED (or
 * FAILED). Shutdown steps run in reverse order of registration (stop intake first, close pools
 * last); each step is isolated so one failure never skips the others. `close()` is idempotent.
 */
export class Lifecycle {
  private state_: LifecycleState = 'INITIALIZED';
  private readonly steps: Step[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  get state(): LifecycleState {
    return this.state_;
  }

  /** Registers a shutdown step. Steps registered later run earlier. */
  onClose(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  async start(fn: () => Promise<void>): Promise<void> {
    if (this.state_ !== 'INITIALIZED') throw new IllegalStateError('start', this.state_);
    this.state_ = 'STARTING';
    try {
      await fn();
      this.state_ = 'RUNNING';
    } catch (err) {
      this.state_ = 'FAILED';
      await this.close();
      this.state_ = 'FAILED';
      throw err;
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const prior = this.state_;
    this.state_ = 'STOPPING';
    this.closing = (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          this.logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      this.state_ = prior === 'FAILED' ? 'FAILED' : 'STOPPED';
    })();
    return this.closing;
  }
}

/** SIGTERM/SIGINT → `close()` then exit; a second signal exits at once. */
export function installSignalHandlers(close: () => Promise<void>, logger: Logger, exit: (code: number) => void = process.exit): void {
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    received = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
