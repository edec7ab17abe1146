// The shape of the eks-cf workflows' state as it grows from step to step.
import type { WorkflowState } from '../shared/workflow-state.js';
import type { GroupView } from './group.js';
import type { References } from './references.js';
import type { StackProgress } from './stack.js';

export interface EksCfState extends WorkflowState {
  group: GroupView;
  references?: References;
  stack: StackProgress & { action?: string };
}
