// EKS access entries for node roles, for clusters whose authentication mode includes API. The same ownership rules
// as aws-auth (./aws-auth.ts): an entry someone else made is never claimed or removed; ours carries the
// managed-by tag and one "used-by" tag per InstanceGroup that relies on it, and goes away with the last of them.
import {
  CreateAccessEntryCommand,
  DeleteAccessEntryCommand,
  DescribeAccessEntryCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type AccessEntry,
  type EKSClient,
} from '@aws-sdk/client-eks';
import { classifyError } from '../../core/errors/index.js';
import { OWNERSHIP_TAGS, shortHash } from '../../core/names/index.js';

export const NODE_ACCESS_ENTRY_TYPE = 'EC2_LINUX';
export const USED_BY_TAG_PREFIX = 'instancemgr.keikoproj.io/used-by.';
const MANAGED_BY = { [OWNERSHIP_TAGS.managedBy]: 'instance-manager' };

export interface AccessEntryResult {
  changed: boolean;
  note: string;
}

/** The tag that records one InstanceGroup ("namespace/name") as a user of the entry. */
export function usedByTag(groupKey: string): [string, string] {
  return [`${USED_BY_TAG_PREFIX}${shortHash('used-by', groupKey)}`, groupKey.slice(0, 256)];
}

const isNotFound = (e: unknown) => (e as { name?: string }).name === 'ResourceNotFoundException';
const isInUse = (e: unknown) => (e as { name?: string }).name === 'ResourceInUseException';

async function describe(eks: EKSClient, clusterName: string, principalArn: string): Promise<AccessEntry | undefined> {
  try {
    return (await eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn }))).accessEntry;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw classifyError(error, `Reading the access entry of ${principalArn} in ${clusterName}`);
  }
}

const managed = (entry: AccessEntry) => entry.tags?.[OWNERSHIP_TAGS.managedBy] === 'instance-manager';
const users = (entry: AccessEntry) =>
  Object.entries(entry.tags ?? {})
    .filter(([k]) => k.startsWith(USED_BY_TAG_PREFIX))
    .map(([, v]) => v);

/** Lets a node role join: creates its EC2_LINUX access entry, or records one more user on ours. Idempotent. */
export async function grantNodeAccessEntry(eks: EKSClient, clusterName: string, roleArn: string, groupKey: string): Promise<AccessEntryResult> {
  const [tagKey, tagValue] = usedByTag(groupKey);
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await describe(eks, clusterName, roleArn);
    if (!entry) {
      try {
        await eks.send(
          new CreateAccessEntryCommand({ clusterName, principalArn: roleArn, type: NODE_ACCESS_ENTRY_TYPE, tags: { ...MANAGED_BY, [tagKey]: tagValue } }),
        );
        return { changed: true, note: `created an ${NODE_ACCESS_ENTRY_TYPE} access entry for ${roleArn} in ${clusterName}` };
      } catch (error) {
        if (isInUse(error)) continue; // another execution created it meanwhile: look again
        throw classifyError(error, `Creating the access entry of ${roleArn} in ${clusterName}`);
      }
    }
    if (!managed(entry)) return { changed: false, note: `an access entry for ${roleArn} already exists and is not managed by instance-manager; left as it is` };
    if (entry.tags?.[tagKey]) return { changed: false, note: `${roleArn} already has an access entry for ${groupKey}` };
    try {
      await eks.send(new TagResourceCommand({ resourceArn: entry.accessEntryArn, tags: { [tagKey]: tagValue } }));
    } catch (error) {
      throw classifyError(error, `Tagging the access entry of ${roleArn}`);
    }
    return { changed: true, note: `recorded ${groupKey} as a user of the access entry for ${roleArn}` };
  }
  return { changed: false, note: `the access entry for ${roleArn} kept changing; it exists` };
}

/**
 * Removes one group's claim; the entry itself goes only when it is ours and neither its tags nor `stillUsedBy`
 * (InstanceGroups whose status names the role) leave a user.
 */
export async function revokeNodeAccessEntry(
  eks: EKSClient,
  clusterName: string,
  roleArn: string,
  groupKey: string,
  stillUsedBy: string[],
): Promise<AccessEntryResult> {
  const entry = await describe(eks, clusterName, roleArn);
  if (!entry) return { changed: false, note: `${roleArn} has no access entry in ${clusterName}` };
  if (!managed(entry)) return { changed: false, note: `the access entry for ${roleArn} is not managed by instance-manager; left as it is` };
  const [tagKey] = usedByTag(groupKey);
  const remaining = [...new Set([...users(entry), ...stillUsedBy])].filter((u) => u !== groupKey).sort();
  try {
    if (remaining.length) {
      if (!entry.tags?.[tagKey]) return { changed: false, note: `kept ${roleArn}: still used by ${remaining.join(', ')}` };
      await eks.send(new UntagResourceCommand({ resourceArn: entry.accessEntryArn, tagKeys: [tagKey] }));
      return { changed: true, note: `kept ${roleArn}: still used by ${remaining.join(', ')}` };
    }
    await eks.send(new DeleteAccessEntryCommand({ clusterName, principalArn: roleArn }));
  } catch (error) {
    if (isNotFound(error)) return { changed: false, note: `the access entry for ${roleArn} is already gone` };
    throw classifyError(error, `Removing the access entry of ${roleArn} from ${clusterName}`);
  }
  return { changed: true, note: `removed the access entry for ${roleArn}: no InstanceGroup uses it any more` };
}
