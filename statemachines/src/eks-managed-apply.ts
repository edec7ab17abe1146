// The eks-managed-apply state machine; `npm run generate` writes statemachines/eks-managed-apply.asl.json from it.
import { choice, fail, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_WHILE_CHANGING } from './policies.js';

export default machine('eks-managed-apply', {
  comment: 'eks-managed apply: creates or updates the EKS managed node group of one InstanceGroup (a replace strategy creates a new node group before deleting the old one) and reports status on the object. Waiting is a bounded Wait/Describe loop, which the local runtime runs as is.',
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
    task('Check AWS References', 'Pre-flight: the EKS cluster, subnets, key pair, SSH security groups and node role the spec names must exist. Nothing is created otherwise.', {
      parameters: from('change', 'execution', 'group'),
      resultPath: '$.references',
      next: 'Create Node Role If Needed',
    }),
    task('Create Node Role If Needed', "Uses the spec's nodeRole; without one, creates the group's node role (EKS worker, CNI and ECR read-only policies), deleted with the group.", {
      parameters: from('change', 'execution', 'group'),
      resultPath: '$.role',
      next: 'Decide Next Change',
    }),
    task('Decide Next Change', "Re-reads the InstanceGroup (stops if a newer generation replaced this one), compares the spec with the group's node groups and picks one change: create, update size/labels/taints, update version, update tags, delete a replaced node group, wait, or nothing left. Bounded: 20 decisions.", {
      parameters: { ...from('change', 'execution', 'group', 'role', 'plan'), purpose: 'apply', maxPasses: 20 },
      resultPath: '$.plan',
      next: 'What Does The Node Group Need?',
    }),
    choice(
      'What Does The Node Group Need?',
      'Runs the change just decided; once nothing is left, reports Ready.',
      [
        when('$.plan.action', 'create', 'Create Node Group'),
        when('$.plan.action', 'update-config', 'Update Size, Labels And Taints'),
        when('$.plan.action', 'update-version', 'Update Kubernetes Version'),
        when('$.plan.action', 'update-tags', 'Update Tags'),
        when('$.plan.action', 'delete', 'Delete Replaced Node Group'),
        when('$.plan.action', 'wait', 'Wait For EKS'),
        when('$.plan.action', 'none', 'Delete Unused Node Role'),
        when('$.plan.action', 'superseded', 'Report Superseded While Applying'),
        when('$.plan.action', 'deleting', 'Stopped: Group Is Being Deleted'),
        when('$.plan.action', 'gone', 'Stopped: Group No Longer Exists'),
      ],
      'Unexpected Decision',
    ),
    task('Create Node Group', 'CreateNodegroup with the decided request: desired size = minSize (a replacement keeps the old desired size), tagged with ownership and the fields it was created with (retried while EKS is busy).', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Update Size, Labels And Taints', 'UpdateNodegroupConfig: min/max (the desired size is kept unless it falls outside them), labels and taints (retried while EKS is busy).', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Update Kubernetes Version', 'UpdateNodegroupVersion: the Kubernetes version and AMI release version the spec names; EKS rolls the nodes (retried while EKS is busy).', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Update Tags', 'TagResource / UntagResource on the node group.', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    task('Delete Replaced Node Group', 'Deletes a node group of this group that the target replaced, now that the target is active (retried while EKS is busy); never one a newer generation wrote.', {
      parameters: from('change', 'execution', 'group', 'role', 'plan'),
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    ...eksWaitLoop({
      resource: 'node group',
      check: 'Check Node Group Progress',
      checkComment:
        "DescribeNodegroup: fails with EKS's health issues if the create or delete failed. Bounded: 480 checks (about 4 hours).",
      decide: 'Decide Next Change',
    }),
    task('Report Superseded While Applying', 'A newer generation arrived while this execution was applying; it stops, and the newer execution carries on.', {
      parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
      resultPath: null,
      next: 'Superseded By A Newer Generation',
      bestEffort: true,
    }),
    task('Delete Unused Node Role', 'Only when the spec names its own nodeRole: deletes the node role instance-manager created earlier, now that no node group uses it.', {
      parameters: { ...from('change', 'execution', 'group'), purpose: 'apply' },
      resultPath: '$.roleCleanup',
      next: 'Report Ready',
    }),
    task('Report Ready', "Status Ready: min/max, the node group, its Auto Scaling groups and node role; Degraded carries EKS's health issues.", {
      parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
      resultPath: null,
      next: 'Ready',
    }),
    succeed('Ready', 'The node group matches the spec.'),
    fail('Unexpected Decision', { error: 'UnexpectedDecision', cause: '"Decide Next Change" returned an action this workflow does not handle; its output in the execution history shows which.' }),
  ],
});
