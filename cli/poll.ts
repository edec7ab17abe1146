import { backoffDelay, type BackoffPolicy } from '../core/backoff/index.js';

/** How the CLI spaces its looks at something that takes a while (an execution, a replay): 1 s, doubling to 5 s. */
export const POLL: BackoffPolicy = { initialMs: 1000, maxMs: 5000, jitter: 0 };

/** The pause after the `polls`-th look. */
export const pollDelay = (polls: number) => backoffDelay(polls, POLL);
