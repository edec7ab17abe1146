// The eks-managed-apply state machine; `npm run generate` writes statemachines/eks-managed-apply.asl.json from it.
import { eksApplyMachine, NODE_GROUP, type EksChange } from './eks-resource.js';
import { BUSY_WHILE_CHANGING } from './policies.js';

const change = (action: string, name: string, comment: string, stopsWhenNoLongerWanted = true): EksChange => ({
  action,
  name,
  comment,
  busy: BUSY_WHILE_CHANGING,
  stopsWhenNoLongerWanted,
});

export default eksApplyMachine({
  name: 'eks-managed-apply',
  comment: 'eks-managed apply: creates or updates the EKS managed node group of one InstanceGroup (a replace strategy creates a new node group before deleting the old one) and reports status on the object. Waiting is a bounded Wait/Describe loop, which the local runtime runs as is.',
  kind: NODE_GROUP,
  checkReferencesComment: 'Pre-flight: the EKS cluster, subnets, key pair, SSH security groups and node role the spec names must exist. Nothing is created otherwise.',
  createRole: {
    name: 'Create Node Role If Needed',
    comment: "Uses the spec's nodeRole; without one, creates the group's node role (EKS worker, CNI and ECR read-only policies), deleted with the group.",
    parameters: ['change', 'execution', 'group'],
  },
  decide: {
    comment: "Re-reads the InstanceGroup (stops if a newer generation replaced this one), compares the spec with the group's node groups and picks one change: create, update size/labels/taints, update version, update tags, delete a replaced node group, wait, or nothing left. Bounded: 20 decisions.",
  },
  needs: 'What Does The Node Group Need?',
  changes: [
    change('create', 'Create Node Group', 'CreateNodegroup with the decided request: desired size = minSize (a replacement keeps the old desired size), tagged with ownership and the fields it was created with (retried while EKS is busy).'),
    change('update-config', 'Update Size, Labels And Taints', 'UpdateNodegroupConfig: min/max (the desired size is kept unless it falls outside them), labels and taints (retried while EKS is busy).'),
    change('update-version', 'Update Kubernetes Version', 'UpdateNodegroupVersion: the Kubernetes version and AMI release version the spec names; EKS rolls the nodes (retried while EKS is busy).'),
    change('update-tags', 'Update Tags', 'TagResource / UntagResource on the node group.'),
    change('delete', 'Delete Replaced Node Group', 'Deletes a node group of this group that the target replaced, now that the target is active (retried while EKS is busy); never one a newer generation wrote.'),
  ],
  checkComment: "DescribeNodegroup: fails with EKS's health issues if the create or delete failed. Bounded: 480 checks (about 4 hours).",
  deleteUnusedRole: {
    name: 'Delete Unused Node Role',
    comment: 'Only when the spec names its own nodeRole: deletes the node role instance-manager created earlier, now that no node group uses it.',
  },
  reportReadyComment: "Status Ready: min/max, the node group, its Auto Scaling groups and node role; Degraded carries EKS's health issues.",
  readyComment: 'The node group matches the spec.',
});
