// The eks-fargate-delete state machine; `npm run generate` writes statemachines/eks-fargate-delete.asl.json from it.
import { choice, fail, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_FARGATE_CLUSTER } from './policies.js';

export default machine('eks-fargate-delete', {
  comment: 'eks-fargate delete: deletes the Fargate profiles of one InstanceGroup (one per cluster at a time) and the pod execution role instance-manager created for it, then releases the object.',
  timeoutSeconds: 21600,
  states: [
    start({ decisionLoop: true }),
    ...readGroupForDelete('Decide Next Deletion'),
    task('Decide Next Deletion', 'Reads every Fargate profile of the cluster and picks the next profile of this group to delete (one per cluster at a time, as AWS requires), or waits. Notes when the profile the group had no longer exists. Bounded: 20 decisions.', {
      parameters: { ...from('change', 'execution', 'group', 'plan'), purpose: 'delete', maxPasses: 20 },
      resultPath: '$.plan',
      next: 'What Is Left To Delete?',
      busy: BUSY_FARGATE_CLUSTER,
    }),
    choice(
      'What Is Left To Delete?',
      'Deletes profiles until none is left, then the pod execution role.',
      [
        when('$.plan.action', 'delete', 'Delete Fargate Profile'),
        when('$.plan.action', 'wait', 'Wait For EKS'),
        when('$.plan.action', 'await-earlier-applies', 'Wait For Earlier Applies'),
        when('$.plan.action', 'none', 'Was The Profile Already Gone?'),
      ],
      'Unexpected Decision',
    ),
    wait('Wait For Earlier Applies', "Nothing is left, but an apply step that began before the deletion could still create something: wait until no such step can still run (the step's Lambda timeout and a margin after deletionTimestamp), then look again.", '$.plan.waitSeconds', 'Decide Next Deletion'),
    task('Delete Fargate Profile', 'DeleteFargateProfile (retried while another profile of the cluster is being created or deleted).', {
      parameters: from('change', 'execution', 'group', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_FARGATE_CLUSTER,
    }),
    ...eksWaitLoop({
      resource: 'fargate profile',
      check: 'Check Fargate Profile Progress',
      checkComment:
        "DescribeFargateProfile until the profile is gone; fails with EKS's health issues if the delete failed. Bounded: 480 checks (about 4 hours).",
      decide: 'Decide Next Deletion',
    }),
    choice(
      'Was The Profile Already Gone?',
      'The reference README promises an error code when a delete finds no profile to delete: report it before releasing the object.',
      [
        { Variable: '$.plan.notFound', IsPresent: true, Next: 'Report Profile Not Found' },
      ],
      'Delete Pod Execution Role',
    ),
    task('Report Profile Not Found', 'Status Error with reason ProfileNotFound (or ClusterNotFound, ProfileNotOwned) and a Warning event; the delete still completes.', {
      parameters: {
        ...from('change', 'execution'),
        report: {
          phase: 'failed',
          'reason.$': '$.plan.notFound.reason',
          'message.$': '$.plan.notFound.message',
          retryable: false,
        },
      },
      resultPath: null,
      next: 'Delete Pod Execution Role',
      bestEffort: true,
    }),
    task('Delete Pod Execution Role', 'Deletes the pod execution role instance-manager created for the group; a role the spec names is never touched.', {
      parameters: { ...from('change', 'execution', 'group'), purpose: 'delete' },
      resultPath: '$.roleCleanup',
      next: 'Report Deleted',
    }),
    task('Report Deleted', 'Releases the object: removes the finalizer so Kubernetes can delete it.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'deleted' } },
      resultPath: null,
      next: 'Deleted',
    }),
    succeed('Deleted', 'The Fargate profiles and the created pod execution role are gone, and the object is released.'),
    fail('Unexpected Decision', { error: 'UnexpectedDecision', cause: '"Decide Next Change" returned an action this workflow does not handle; its output in the execution history shows which.' }),
  ],
});
