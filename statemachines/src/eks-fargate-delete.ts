// The eks-fargate-delete state machine; `npm run generate` writes statemachines/eks-fargate-delete.asl.json from it.
import { choice, from, task } from './kit/index.js';
import { eksDeleteMachine, FARGATE_PROFILE } from './eks-resource.js';
import { BUSY_FARGATE_CLUSTER } from './policies.js';

export default eksDeleteMachine({
  name: 'eks-fargate-delete',
  comment: 'eks-fargate delete: deletes the Fargate profiles of one InstanceGroup (one per cluster at a time) and the pod execution role instance-manager created for it, then releases the object.',
  kind: FARGATE_PROFILE,
  decide: {
    comment: 'Reads every Fargate profile of the cluster and picks the next profile of this group to delete (one per cluster at a time, as AWS requires), or waits. Notes when the profile the group had no longer exists. Bounded: 20 decisions.',
    busy: BUSY_FARGATE_CLUSTER,
  },
  needsComment: 'Deletes profiles until none is left, then the pod execution role.',
  deleteResource: {
    name: 'Delete Fargate Profile',
    comment: 'DeleteFargateProfile (retried while another profile of the cluster is being created or deleted).',
    busy: BUSY_FARGATE_CLUSTER,
  },
  checkComment: "DescribeFargateProfile until the profile is gone; fails with EKS's health issues if the delete failed. Bounded: 480 checks (about 4 hours).",
  beforeRoleDeletion: (next) => [
    choice(
      'Was The Profile Already Gone?',
      'The reference README promises an error code when a delete finds no profile to delete: report it before releasing the object.',
      [{ Variable: '$.plan.notFound', IsPresent: true, Next: 'Report Profile Not Found' }],
      next,
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
      next,
      bestEffort: true,
    }),
  ],
  deleteRole: {
    name: 'Delete Pod Execution Role',
    comment: 'Deletes the pod execution role instance-manager created for the group; a role the spec names is never touched.',
  },
  deletedComment: 'The Fargate profiles and the created pod execution role are gone, and the object is released.',
});
