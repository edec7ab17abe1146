// The eks-managed-delete state machine; `npm run generate` writes statemachines/eks-managed-delete.asl.json from it.
import { choice, fail, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_WHILE_DELETING } from './policies.js';

export default machine('eks-managed-delete', {
  comment: 'eks-managed delete: deletes every EKS managed node group of one InstanceGroup and the node role instance-manager created for it, then releases the object.',
  timeoutSeconds: 21600,
  states: [
    start({ decisionLoop: true }),
    ...readGroupForDelete('Decide Next Deletion'),
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
    ...eksWaitLoop({
      resource: 'node group',
      check: 'Check Node Group Progress',
      checkComment:
        "DescribeNodegroup until the node group is gone; fails with EKS's health issues if the delete failed. Bounded: 480 checks (about 4 hours).",
      decide: 'Decide Next Deletion',
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
