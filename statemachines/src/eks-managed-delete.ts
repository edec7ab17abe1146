// The eks-managed-delete state machine; `npm run generate` writes statemachines/eks-managed-delete.asl.json from it.
import { eksDeleteMachine, NODE_GROUP } from './eks-resource.js';
import { BUSY_WHILE_DELETING } from './policies.js';

export default eksDeleteMachine({
  name: 'eks-managed-delete',
  comment: 'eks-managed delete: deletes every EKS managed node group of one InstanceGroup and the node role instance-manager created for it, then releases the object.',
  kind: NODE_GROUP,
  decide: {
    comment: "Finds the group's node groups (by their derived names and ownership tags) and picks the next one to delete, or waits for one in progress. Bounded: 20 decisions.",
  },
  needsComment: 'Deletes node groups until none is left, then the node role.',
  deleteResource: { name: 'Delete Node Group', comment: 'DeleteNodegroup (retried while EKS is busy).', busy: BUSY_WHILE_DELETING },
  checkComment: "DescribeNodegroup until the node group is gone; fails with EKS's health issues if the delete failed. Bounded: 480 checks (about 4 hours).",
  deleteRole: {
    name: 'Delete Node Role',
    comment: 'Deletes the node role instance-manager created for the group (a role the spec names is never touched); waits while EKS still holds it in an instance profile.',
  },
  deletedComment: 'The node groups and the created node role are gone, and the object is released.',
});
