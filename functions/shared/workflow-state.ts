import type { InstanceGroupChange } from '../../core/events/index.js';
import { consoleUrl } from '../../core/names/index.js';
import type { ExecutionInfo } from '../../core/status/index.js';

/** What every state machine carries from step to step: the change that started it and who is running it. */
export interface WorkflowState {
  change: InstanceGroupChange;
  execution: { arn: string; name: string };
}

export function executionInfo(state: WorkflowState): ExecutionInfo {
  return {
    arn: state.execution.arn,
    name: state.execution.name,
    consoleUrl: consoleUrl(state.execution.arn),
    generation: state.change.group.generation,
    operation: state.change.operation,
    attempt: state.change.attempt ?? 1,
  };
}
