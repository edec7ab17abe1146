// ResourceBusyError policies for steps whose AWS resource stays busy longer than a transient error lasts. Any other
// step retries ResourceBusyError as its class says (core/errors).
import type { RetryPolicy } from '../../core/errors/index.js';

/** A stack or node group mid-operation: its update or create takes minutes; wait up to about two hours. */
export const BUSY_WHILE_CHANGING: RetryPolicy = { IntervalSeconds: 20, MaxAttempts: 30, BackoffRate: 1.5, MaxDelaySeconds: 300, JitterStrategy: 'FULL' };

/** Deleting a stack or node group that is still busy: the same pace, with more patience. */
export const BUSY_WHILE_DELETING: RetryPolicy = { IntervalSeconds: 20, MaxAttempts: 40, BackoffRate: 1.5, MaxDelaySeconds: 300, JitterStrategy: 'FULL' };

/** EKS allows one Fargate profile operation per cluster at a time: look again every two minutes at most. */
export const BUSY_FARGATE_CLUSTER: RetryPolicy = { IntervalSeconds: 30, MaxAttempts: 40, BackoffRate: 1.5, MaxDelaySeconds: 120, JitterStrategy: 'FULL' };
