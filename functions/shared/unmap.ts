// Removing one group's claims from aws-auth. The node role ARN normally comes from the stack's outputs, but a retried
// delete can find the stack already gone: the claims the group holds are then found in our annotation instead, so
// neither the entry nor the claim outlives the group.
import { mappableRoleArn, removeNodeRole, type AwsAuthData, type MergeResult } from './aws-auth.js';

/** The roles our annotation says this group ("namespace/name") uses. */
export function rolesClaimedBy(data: AwsAuthData, groupKey: string): string[] {
  return Object.entries(data.managed)
    .filter(([, users]) => users.includes(groupKey))
    .map(([arn]) => arn);
}

/**
 * Releases the group's claim on `roleArn`, or on every role it claims when the ARN is unknown. `stillUsedBy` names,
 * per role, the other groups whose status reports it; an entry goes only when nobody uses its role any more.
 */
export function unmapGroup(
  data: AwsAuthData,
  groupKey: string,
  roleArn: string | undefined,
  stillUsedBy: (arn: string) => string[],
): MergeResult {
  const roles = roleArn ? [mappableRoleArn(roleArn)] : rolesClaimedBy(data, groupKey);
  if (!roles.length) return { data, changed: false, note: `no node role is mapped for ${groupKey}` };
  let current: MergeResult = { data, changed: false, note: '' };
  const notes: string[] = [];
  for (const arn of roles) {
    const next = removeNodeRole(current.data, arn, groupKey, stillUsedBy(arn));
    notes.push(next.note);
    current = { data: next.data, changed: current.changed || next.changed, note: '' };
  }
  return { ...current, note: notes.join('; ') };
}
