// The "Wait For Nodes To Join" loop's bookkeeping: growing pauses, a bound on the total wait, and the message that
// says what to check when the bound is reached. Pure, so the loop's decisions are unit-tested without a cluster.
import type { NodeCount, ObservedResources } from '../../core/status/index.js';

/** Pauses between looks, in seconds: 5, 10, 20, then 30 each time. */
export const JOIN_WAITS = [5, 10, 20, 30] as const;
/** The default bound on the whole wait. */
export const DEFAULT_JOIN_TIMEOUT_SECONDS = 900;

export interface NodeJoinProgress {
  joined: boolean;
  timedOut: boolean;
  /** True when NODE_JOIN_WAIT=off: nothing was looked at. */
  skipped: boolean;
  polls: number;
  /** When the first look happened (ISO 8601): the bound counts from here. */
  startedAt: string;
  nextWaitSeconds: number;
  desired: number;
  ready: number;
  registered: number;
  message: string;
  /** The stack's observed resources plus the image and the counts: what Report Ready writes. */
  observed: ObservedResources;
  /** What report-status turns into the NodesReady condition. */
  count: NodeCount;
}

export const nextWait = (polls: number): number => JOIN_WAITS[Math.min(Math.max(polls, 1), JOIN_WAITS.length) - 1]!;

export function notJoinedMessage(ready: number, desired: number, seconds: number): string {
  return (
    `${ready} of ${desired} nodes joined within ${seconds} s; check the node role mapping (access entry or aws-auth), ` +
    'the user data (cluster name, endpoint, certificate authority), the security group (the nodes must reach the API ' +
    'endpoint on 443) and the API endpoint access (private/public)'
  );
}

export interface JoinLook {
  desired: number;
  ready: number;
  registered: number;
  polls: number;
  startedAt: string;
  now: Date;
  timeoutSeconds: number;
  observed: ObservedResources;
}

export function joinProgress(look: JoinLook): NodeJoinProgress {
  const { desired, ready, registered, polls, startedAt, now, timeoutSeconds } = look;
  const joined = ready >= desired;
  const elapsed = (now.getTime() - Date.parse(startedAt)) / 1000;
  const timedOut = !joined && elapsed >= timeoutSeconds;
  const message = joined
    ? `${ready} of ${desired} nodes joined the cluster and are Ready.`
    : timedOut
      ? notJoinedMessage(ready, desired, timeoutSeconds)
      : `${ready} of ${desired} nodes are Ready (${registered} registered); waiting.`;
  return {
    joined,
    timedOut,
    skipped: false,
    polls,
    startedAt,
    nextWaitSeconds: nextWait(polls),
    desired,
    ready,
    registered,
    message,
    observed: { ...look.observed, desiredNodes: desired, readyNodes: ready },
    count: { desired, ready, checked: true, message },
  };
}

export function skippedProgress(observed: ObservedResources, now: Date): NodeJoinProgress {
  const message = 'Not checked: the node join wait is off (NODE_JOIN_WAIT=off), so Ready means the AWS side is in place.';
  return {
    joined: true,
    timedOut: false,
    skipped: true,
    polls: 0,
    startedAt: now.toISOString(),
    nextWaitSeconds: JOIN_WAITS[0],
    desired: 0,
    ready: 0,
    registered: 0,
    message,
    observed,
    count: { desired: 0, ready: 0, checked: false, message },
  };
}

/** NODE_JOIN_WAIT=off turns the wait off (a test bed without a node emulator); anything else leaves it on. */
export const joinWaitEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => (env.NODE_JOIN_WAIT ?? 'on').toLowerCase() !== 'off';

/** The bound: NODE_JOIN_TIMEOUT_SECONDS when set (a test bed may want it short), else the state machine's. */
export function joinTimeoutSeconds(fromStateMachine: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.NODE_JOIN_TIMEOUT_SECONDS);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return fromStateMachine ?? DEFAULT_JOIN_TIMEOUT_SECONDS;
}
