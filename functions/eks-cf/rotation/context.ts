// What every step of a rotation batch receives (the Map's item selector builds it), and the shared clients.
import { InstanceGroupApi } from '../../../core/kube/instancegroups.js';
import { loadGroup } from '../../shared/group.js';
import type { WorkflowState } from '../../shared/workflow-state.js';
import { autoscaling, ec2 } from '../../kit/clients.js';
import { clusterAccess } from '../../kit/kube.js';
import type { RotationBatch, RotationSettings } from './plan.js';
import type { RotationClients } from './scaling-group.js';

export const access = clusterAccess;
export const clients = (): RotationClients => ({ autoscaling: autoscaling(), ec2: ec2() });

export interface BatchInput extends WorkflowState {
  clusterName: string;
  scalingGroupName: string;
  settings: RotationSettings;
  batch: RotationBatch;
}

/** True when a newer generation (or a delete) arrived: the rotation for this one stops at a clean point. */
export async function isSuperseded(state: WorkflowState): Promise<boolean> {
  return (await loadGroup(state, access())).outcome !== 'current';
}

/** A Normal event on the group, so `kubectl describe` and `imctl status` show where the rotation is. */
export async function recordProgress(state: WorkflowState, message: string, type: 'Normal' | 'Warning' = 'Normal'): Promise<void> {
  const api = new InstanceGroupApi(await access().connect(state.change.cluster));
  const object = await api.get(state.change.group);
  if (object) await api.recordEvent(object, type, type === 'Normal' ? 'Rotating' : 'RotationStopped', message);
}
