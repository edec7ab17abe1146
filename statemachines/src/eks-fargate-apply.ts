// The eks-fargate-apply state machine; `npm run generate` writes statemachines/eks-fargate-apply.asl.json from it.
import { eksApplyMachine, FARGATE_PROFILE } from './eks-resource.js';
import { BUSY_FARGATE_CLUSTER } from './policies.js';

export default eksApplyMachine({
  name: 'eks-fargate-apply',
  comment: 'eks-fargate apply: creates the Fargate profile of one InstanceGroup, replaces it when the spec changes (AWS cannot change a profile), one profile operation per cluster at a time, and reports status on the object. Waiting is a bounded Wait/Describe loop, which the local runtime runs as is.',
  kind: FARGATE_PROFILE,
  checkReferencesComment: 'Pre-flight: the EKS cluster, and the pod execution role if the spec names one, must exist. Subnets are left to EKS, which checks them on create.',
  createRole: {
    name: 'Create Pod Execution Role If Needed',
    comment: "Uses the spec's podExecutionRoleArn; without one, creates the group's role (trusted by eks-fargate-pods.amazonaws.com, AmazonEKSFargatePodExecutionRolePolicy), deleted with the group.",
    parameters: ['change', 'execution', 'group', 'references'],
  },
  decide: {
    comment: 'Re-reads the InstanceGroup (stops if a newer generation replaced this one), reads every Fargate profile of the cluster and picks one change: create, update tags, delete a replaced profile, wait, or nothing left. AWS cannot change a profile, so a changed spec replaces it. Retried while another profile of the cluster is being created or deleted (AWS allows one at a time). Bounded: 20 decisions.',
    busy: BUSY_FARGATE_CLUSTER,
  },
  needs: 'What Does The Fargate Profile Need?',
  changes: [
    {
      action: 'create',
      name: 'Create Fargate Profile',
      comment: 'CreateFargateProfile with the selectors, subnets, pod execution role and tags (retried while another profile of the cluster is being created or deleted).',
      busy: BUSY_FARGATE_CLUSTER,
      stopsWhenNoLongerWanted: true,
    },
    {
      action: 'update-tags',
      name: 'Update Tags',
      comment: 'TagResource / UntagResource: the one change AWS makes to a profile in place (and the stamp of the generation that wrote it).',
      busy: BUSY_FARGATE_CLUSTER,
      stopsWhenNoLongerWanted: true,
    },
    {
      action: 'delete',
      name: 'Delete Replaced Fargate Profile',
      comment: 'Deletes the profile the spec change replaced (retried while another profile of the cluster is being created or deleted); never one a newer generation wrote.',
      busy: BUSY_FARGATE_CLUSTER,
      stopsWhenNoLongerWanted: true,
    },
  ],
  checkComment: "DescribeFargateProfile: fails with EKS's health issues if the create or delete failed. Bounded: 480 checks (about 4 hours).",
  deleteUnusedRole: {
    name: 'Delete Unused Pod Execution Role',
    comment: 'Only when the spec names its own podExecutionRoleArn: deletes the role instance-manager created earlier, now that no profile uses it.',
  },
  reportReadyComment: 'Status Ready with the profile and its pod execution role; the message says what changed (a replaced profile included).',
  readyComment: 'The Fargate profile matches the spec.',
});
