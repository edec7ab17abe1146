// The eks-managed-delete state machine; `npm run generate` writes statemachines/eks-managed-delete.asl.json from it.
import { choice, fail, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { BUSY_WHILE_DELETING } from './policies.js';

export default machine('eks-managed-delete', {
  comment: 'eks-managed delete: deletes every EKS managed node group of one InstanceGroup and the node role instance-manager created for it, then releases the object.',
  timeoutSeconds: 21600,
  states: [
    pass('Start', 'Keeps the InstanceGroup change that started this execution and the execution itself, and starts the decision loop with nothing done.', {
      parameters: {
        'change.$': '$',
        execution: { 'arn.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' },
        plan: { action: 'start', pass: 0, history: [] },
        progress: { polls: 0, settled: false, waitSeconds: 5 },
      },
      next: 'Read Instance Group',
    }),
    task('Read Instance Group', 'Re-reads the InstanceGroup from the cluster.', {
      parameters: from('change', 'execution'),
      resultPath: '$.group',
      next: 'Is The Group Being Deleted?',
    }),
    choice(
      'Is The Group Being Deleted?',
      'A stale delete event for an object that is not being deleted does nothing.',
      [
        when('$.group.outcome', 'not-deleting', 'Stopped: Group Is Not Being Deleted'),
      ],
      'Report Deleting',
    ),
    succeed('Stopped: Group Is Not Being Deleted', 'Nothing deleted: the object has no deletion timestamp.'),
    task('Report Deleting', 'Status Deleting.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'deleting' } },
      resultPath: null,
      next: 'Decide Next Deletion',
    }),
    task('Decide Next Deletion', "Finds the group's node groups (by their derived names and ownership tags) and picks the next one to delete, or waits for one in progress. Bounded: 20 decisions.", {
      parameters: { ...from('change', 'execution', 'group', 'plan'), purpose: 'delete', maxPasses: 20 },
      resultPath: '$.plan',
      next: 'What Is Left To Delete?',
    }),
    choice(
      'What Is Left To Delete?',
      'Deletes node groups until none is left, then the node role.',
      [
        when('$.plan.action', 'delete', 'Delete Node Group'),
        when('$.plan.action', 'wait', 'Wait For EKS'),
        when('$.plan.action', 'await-earlier-applies', 'Wait For Earlier Applies'),
        when('$.plan.action', 'none', 'Delete Node Role'),
      ],
      'Unexpected Decision',
    ),
    wait('Wait For Earlier Applies', "Nothing is left, but an apply step that began before the deletion could still create something: wait until no such step can still run (the step's Lambda timeout and a margin after deletionTimestamp), then look again.", '$.plan.waitSeconds', 'Decide Next Deletion'),
    task('Delete Node Group', 'DeleteNodegroup (retried while EKS is busy).', {
      parameters: from('change', 'execution', 'group', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_DELETING,
    }),
    choice(
      'Has EKS Finished?',
      'Back to deciding once EKS has finished with the node group; otherwise wait and look again.',
      [
        when('$.progress.settled', true, 'Decide Next Deletion'),
      ],
      'Wait For EKS',
    ),
    wait('Wait For EKS', 'EKS publishes no status events: look again after a growing interval (5, 10, 20, then 30 s at most), counted by the progress checks.', '$.progress.waitSeconds', 'Check Node Group Progress'),
    task('Check Node Group Progress', "DescribeNodegroup until the node group is gone; fails with EKS's health issues if the delete failed. Bounded: 480 checks (about 4 hours).", {
      parameters: { ...from('change', 'execution', 'group', 'plan', 'progress'), maxPolls: 480 },
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
    }),
    task('Delete Node Role', 'Deletes the node role instance-manager created for the group (a role the spec names is never touched); waits while EKS still holds it in an instance profile.', {
      parameters: { ...from('change', 'execution', 'group'), purpose: 'delete' },
      resultPath: '$.roleCleanup',
      next: 'Report Deleted',
    }),
    task('Report Deleted', 'Releases the object: removes the finalizer so Kubernetes can delete it.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'deleted' } },
      resultPath: null,
      next: 'Deleted',
    }),
    succeed('Deleted', 'The node groups and the created node role are gone, and the object is released.'),
    fail('Unexpected Decision', { error: 'UnexpectedDecision', cause: '"Decide Next Change" returned an action this workflow does not handle; its output in the execution history shows which.' }),
  ],
});
