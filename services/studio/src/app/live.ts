// Live updates for the pages (queue depth by status, rollout state): one poller shared by every
// connected client, running only while someone listens, pushing a channel only when it changed.
// `poke()` polls at once (after a claim or a submit) so the change shows without waiting.
import type { Logger } from '@zhner/kit';
import type { Replica, Rollout } from '@zhner/contracts';
import type { CandidateStatus } from './ports';

export interface LiveSnapshot {
  queue: { depth: Record<CandidateStatus, number> };
  rollouts: { rollouts: Rollout[]; replicas: Replica[] };
}
export type LiveChannel = keyof LiveSnapshot;
export type LiveListener = (channel: LiveChannel, data: LiveSnapshot[LiveChannel]) => void;

export interface LiveSource {
  snapshot(): Promise<LiveSnapshot>;
}

export class LiveUpdates {
  private readonly listeners = new Set<LiveListener>();
  private readonly last = new Map<LiveChannel, string>();
  private latest: LiveSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly source: LiveSource,
    private readonly logger: Logger,
    /** Poll interval while clients listen, ms (EVENTS_INTERVAL). */
    private readonly intervalMs: number,
  ) {}

  get clients(): number {
    return this.listeners.size;
  }

  /** Adds a listener; it first receives every channel's current state. Returns the unsubscribe function. */
  async subscribe(listener: LiveListener): Promise<() => void> {
    if (!this.latest) await this.poll();
    this.listeners.add(listener);
    if (this.latest) for (const ch of Object.keys(this.latest) as LiveChannel[]) listener(ch, this.latest[ch]);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.latest = undefined;
        this.last.clear();
      }
    };
  }

  /** Polls now (coalesced with a poll in flight). */
  poke(): void {
    if (this.listeners.size === 0 || this.closed) return;
    void this.poll();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer || this.closed || this.listeners.size === 0) return;
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      await this.poll();
      this.schedule();
    }, this.intervalMs);
    this.timer.unref?.();
  }

  private poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      do {
        this.again = false;
        try {
          const snap = await this.source.snapshot();
          this.latest = snap;
          for (const ch of Object.keys(snap) as LiveChannel[]) {
            const json = JSON.stringify(snap[ch]);
            if (this.last.get(ch) === json) continue;
            this.last.set(ch, json);
            for (const l of this.listeners) l(ch, snap[ch]);
          }
        } catch (err) {
          this.logger.warn({ err: (err as Error).message }, 'live update poll failed');
        }
      } while (this.again && !this.closed);
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }
}
