// What /healthz and /readyz answer. Alive: every informer has shown a sign of life (event, bookmark, list or
// connect) within WATCH_STALE_AFTER, so a wedged watch gets the pod restarted. Ready: every informer has listed
// once, and the relay is not shutting down.
import type { Informers } from './informer.js';
import type { Probe } from './server.js';

export interface ProbeState {
  informers: Informers;
  staleAfterMs: number;
  isLeading: () => boolean;
  isStopping: () => boolean;
  pending: () => number;
}

export function liveness(state: ProbeState): Probe {
  const now = performance.now();
  const stale = state.informers.stale(state.staleAfterMs, now);
  if (stale.length) {
    const ago = Math.round((now - Math.min(...stale.map((i) => i.lastActivity))) / 1000);
    return { ok: false, detail: `no watch event, bookmark or connect for ${ago}s on ${stale.map((i) => i.path).join(', ')}` };
  }
  return { ok: true, detail: `watching; ${state.isLeading() ? 'leader' : 'standby'}; ${state.pending()} pending` };
}

export function readiness(state: ProbeState): Probe {
  if (state.isStopping()) return { ok: false, detail: 'shutting down' };
  const unsynced = state.informers.unsynced();
  if (unsynced.length) return { ok: false, detail: `waiting for the first list of ${unsynced.map((i) => i.path).join(', ')}` };
  return { ok: true, detail: state.isLeading() ? 'leader' : 'standby' };
}
