// The eks-fargate-apply state machine; `npm run generate` writes statemachines/eks-fargate-apply.asl.json from it.
import { choice, fail, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_FARGATE_CLUSTER } from './policies.js';

export default machine('eks-fargate-apply', {
  comment: 'eks-fargate apply: creates the Fargate profile of one InstanceGroup, replaces it when the spec changes (AWS cannot change a profile), one profile operation per cluster at a time, and reports status on the object. Waiting is a bounded Wait/Describe loop, which the local runtime runs as is.',
  timeoutSeconds: 21600,
  states: [
    start({ decisionLoop: true }),
    ...readGroupForApply(),
    succeed('Stopped: No Longer Wanted', "Nothing changed: right before changing AWS, the group had a newer generation, was being deleted or was gone (or AWS held a newer generation's work)."),
    task('Report Started', 'Status ReconcileModifying. Sizes and names are written once AWS has them (Report Ready), so status never shows values that are not in effect.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'started' } },
      resultPath: null,
      next: 'Check AWS References',
    }),
    task('Check AWS References', 'Pre-flight: the EKS cluster, and the pod execution role if the spec names one, must exist. Subnets are left to EKS, which checks them on create.', {
      parameters: from('change', 'execution', 'group'),
      resultPath: '$.references',
      next: 'Create Pod Execution Role If Needed',
    }),
    task('Create Pod Execution Role If Needed', "Uses the spec's podExecutionRoleArn; without one, creates the group's role (trusted by eks-fargate-pods.amazonaws.com, AmazonEKSFargatePodExecutionRolePolicy), deleted with the group.", {
      parameters: from('change', 'execution', 'group', 'references'),
      resultPath: '$.role',
      next: 'Decide Next Change',
    }),
    task('Decide Next Change', 'Re-reads the InstanceGroup (stops if a newer generation replaced this one), reads every Fargate profile of the cluster and picks one change: create, update tags, delete a replaced profile, wait, or nothing left. AWS cannot change a profile, so a changed spec replaces it. Retried while another profile of the cluster is being created or deleted (AWS allows one at a time). Bounded: 20 decisions.', {
      parameters: { ...from('change', 'execution', 'group', 'role', 'plan'), purpose: 'apply', maxPasses: 20 },
      resultPath: '$.plan',
      next: 'What Does The Fargate Profile Need?',
      busy: BUSY_FARGATE_CLUSTER,
    }),
    choice(
      'What Does The Fargate Profile Need?',
      'Runs the change just decided; once nothing is left, reports Ready.',
      [
        when('$.plan.action', 'create', 'Create Fargate Profile'),
        when('$.plan.action', 'update-tags', 'Update Tags'),
        when('$.plan.action', 'delete', 'Delete Replaced Fargate Profile'),
        when('$.plan.action', 'wait', 'Wait For EKS'),
        when('$.plan.action', 'none', 'Delete Unused Pod Execution Role'),
        when('$.plan.action', 'superseded', 'Report Superseded While Applying'),
        when('$.plan.action', 'deleting', 'Stopped: Group Is Being Deleted'),
        when('$.plan.action', 'gone', 'Stopped: Group No Longer Exists'),
      ],
      'Unexpected Decision',
    ),
    task('Create Fargate Profile', 'CreateFargateProfile with the selectors, subnets, pod execution role and tags (retried while another profile of the cluster is being created or deleted).', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_FARGATE_CLUSTER,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Update Tags', 'TagResource / UntagResource: the one change AWS makes to a profile in place (and the stamp of the generation that wrote it).', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_FARGATE_CLUSTER,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Delete Replaced Fargate Profile', 'Deletes the profile the spec change replaced (retried while another profile of the cluster is being created or deleted); never one a newer generation wrote.', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_FARGATE_CLUSTER,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    ...eksWaitLoop({
      resource: 'fargate profile',
      check: 'Check Fargate Profile Progress',
      checkComment:
        "DescribeFargateProfile: fails with EKS's health issues if the create or delete failed. Bounded: 480 checks (about 4 hours).",
      decide: 'Decide Next Change',
    }),
    task('Report Superseded While Applying', 'A newer generation arrived while this execution was applying; it stops, and the newer execution carries on.', {
      parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
      resultPath: null,
      next: 'Superseded By A Newer Generation',
      bestEffort: true,
    }),
    task('Delete Unused Pod Execution Role', 'Only when the spec names its own podExecutionRoleArn: deletes the role instance-manager created earlier, now that no profile uses it.', {
      parameters: { ...from('change', 'execution', 'group'), purpose: 'apply' },
      resultPath: '$.roleCleanup',
      next: 'Report Ready',
    }),
    task('Report Ready', 'Status Ready with the profile and its pod execution role; the message says what changed (a replaced profile included).', {
      parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
      resultPath: null,
      next: 'Ready',
    }),
    succeed('Ready', 'The Fargate profile matches the spec.'),
    fail('Unexpected Decision', { error: 'UnexpectedDecision', cause: '"Decide Next Change" returned an action this workflow does not handle; its output in the execution history shows which.' }),
  ],
});
