// Live updates: one EventSource on api/events for the whole page (queue depth, rollouts).
import { useEffect, useState } from 'react';
import type { Depth, Replica, Rollout } from '@zhner/contracts/http';

export interface LiveState {
  connected: boolean;
  depth: Depth | null;
  rollouts: Rollout[];
  replicas: Replica[];
  /** Increments on every queue change (pages refetch on it). */
  queueVersion: number;
  rolloutVersion: number;
}

export function useLive(): LiveState {
  const [state, setState] = useState<LiveState>({ connected: false, depth: null, rollouts: [], replicas: [], queueVersion: 0, rolloutVersion: 0 });
  useEffect(() => {
    const es = new EventSource('api/events');
    es.onopen = () => setState((s) => ({ ...s, connected: true }));
    es.onerror = () => setState((s) => ({ ...s, connected: false }));
    es.addEventListener('queue', (ev) => {
      const data = JSON.parse((ev as MessageEvent<string>).data) as { depth: Depth };
      setState((s) => ({ ...s, connected: true, depth: data.depth, queueVersion: s.queueVersion + 1 }));
    });
    es.addEventListener('rollouts', (ev) => {
      const data = JSON.parse((ev as MessageEvent<string>).data) as { rollouts: Rollout[]; replicas: Replica[] };
      setState((s) => ({ ...s, connected: true, rollouts: data.rollouts, replicas: data.replicas, rolloutVersion: s.rolloutVersion + 1 }));
    });
    return () => es.close();
  }, []);
  return state;
}
