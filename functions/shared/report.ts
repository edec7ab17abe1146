// What a state machine asks report-status to record; the steps build it, report-status writes it.
import type { NodeCount, ObservedResources, RotationProgress } from '../../core/status/index.js';

/** What a state machine asks the callback to record. `deleted` also releases the object (removes the finalizer). */
export type Report =
  | { phase: 'started'; observed?: ObservedResources }
  | { phase: 'ready'; observed: ObservedResources; message?: string; degraded?: { reason: string; message: string }; nodes?: NodeCount }
  | { phase: 'failed'; reason: string; message: string; step?: string; retryable: boolean; observed?: ObservedResources; nodes?: NodeCount }
  | { phase: 'deleting' }
  | { phase: 'deleted' }
  | { phase: 'superseded'; latestGeneration: number }
  | { phase: 'rotating'; rotation: RotationProgress };
