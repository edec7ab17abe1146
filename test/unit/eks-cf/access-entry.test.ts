// moto has no access entries and no authentication mode, so this path runs against a stubbed EKS client that keeps
// entries the way the EKS API documents them (one per principal, tags on the entry's ARN).
import type { EKSClient } from '@aws-sdk/client-eks';
import { grantNodeAccessEntry, revokeNodeAccessEntry, usedByTag } from '../../../functions/shared/access-entry.js';
import { accessMethod, authorizeNodeRole, revokeNodeRole } from '../../../functions/shared/node-access.js';
import type { KubeRest } from '../../../core/kube/rest.js';
import { awsError, stubClient } from '../eks-managed/stub-eks.js';

const ROLE = 'arn:aws:iam::111122223333:role/team/nodes';
const CLUSTER = 'prod';

function fakeEks(mode: string | undefined, seeded: Record<string, Record<string, string>> = {}) {
  const entries = new Map<string, { principalArn: string; type: string; tags: Record<string, string>; accessEntryArn: string }>();
  for (const [arn, tags] of Object.entries(seeded)) entries.set(arn, { principalArn: arn, type: 'EC2_LINUX', tags, accessEntryArn: `arn:entry/${arn}` });
  const byArn = (resourceArn: unknown) => [...entries.values()].find((e) => e.accessEntryArn === resourceArn)!;
  const stub = stubClient<EKSClient>({
    DescribeCluster: (input) => ({ cluster: { name: input.name, ...(mode ? { accessConfig: { authenticationMode: mode } } : {}) } }),
    DescribeAccessEntry: (input) => {
      const entry = entries.get(String(input.principalArn));
      if (!entry) throw awsError('ResourceNotFoundException', 'no entry', 404);
      return { accessEntry: structuredClone(entry) };
    },
    CreateAccessEntry: (input) => {
      const arn = String(input.principalArn);
      if (entries.has(arn)) throw awsError('ResourceInUseException', 'exists', 409);
      entries.set(arn, { principalArn: arn, type: String(input.type), tags: { ...(input.tags as Record<string, string>) }, accessEntryArn: `arn:entry/${arn}` });
      return {};
    },
    TagResource: (input) => (Object.assign(byArn(input.resourceArn).tags, input.tags), {}),
    UntagResource: (input) => {
      for (const key of input.tagKeys as string[]) delete byArn(input.resourceArn).tags[key];
      return {};
    },
    DeleteAccessEntry: (input) => (entries.delete(String(input.principalArn)), {}),
  });
  return { ...stub, entries };
}

describe('node access entries (authentication mode API)', () => {
  it('the first group creates an EC2_LINUX entry tagged as ours; granting again changes nothing', async () => {
    const eks = fakeEks('API');
    expect(await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one')).toMatchObject({ changed: true });
    const entry = eks.entries.get(ROLE)!;
    expect(entry.type).toBe('EC2_LINUX');
    expect(entry.tags).toEqual({ 'app.kubernetes.io/managed-by': 'instance-manager', [usedByTag('a/one')[0]]: 'a/one' });
    expect(await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one')).toMatchObject({ changed: false });
    expect(eks.calls.filter((c) => c.command === 'CreateAccessEntry')).toHaveLength(1);
  });

  it('is reference-counted: the entry goes with the last group that uses the role', async () => {
    const eks = fakeEks('API');
    await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one');
    await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'b/two');
    expect(await revokeNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one', [])).toMatchObject({ changed: true, note: expect.stringContaining('still used by b/two') });
    expect(eks.entries.has(ROLE)).toBe(true);
    expect(await revokeNodeAccessEntry(eks.client, CLUSTER, ROLE, 'b/two', [])).toMatchObject({ changed: true, note: expect.stringContaining('removed') });
    expect(eks.entries.has(ROLE)).toBe(false);
    expect(await revokeNodeAccessEntry(eks.client, CLUSTER, ROLE, 'b/two', [])).toMatchObject({ changed: false });
  });

  it('an InstanceGroup whose status names the role keeps the entry even when its tag is missing', async () => {
    const eks = fakeEks('API');
    await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one');
    await revokeNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one', ['c/three']);
    expect(eks.entries.has(ROLE)).toBe(true);
  });

  it('an entry someone else made is neither claimed nor removed', async () => {
    const eks = fakeEks('API', { [ROLE]: { team: 'platform' } });
    expect(await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one')).toMatchObject({ changed: false, note: expect.stringContaining('not managed') });
    expect(await revokeNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one', [])).toMatchObject({ changed: false });
    expect(eks.entries.get(ROLE)!.tags).toEqual({ team: 'platform' });
  });

  it('a create that races another execution looks again instead of failing', async () => {
    const eks = fakeEks('API');
    const realSend = eks.client.send.bind(eks.client);
    let raced = false;
    (eks.client as unknown as { send: unknown }).send = async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'CreateAccessEntryCommand' && !raced) {
        raced = true;
        await grantNodeAccessEntry({ send: realSend } as unknown as EKSClient, CLUSTER, ROLE, 'b/two');
      }
      return realSend(command as never);
    };
    expect(await grantNodeAccessEntry(eks.client, CLUSTER, ROLE, 'a/one')).toMatchObject({ changed: true });
    expect(Object.values(eks.entries.get(ROLE)!.tags).sort()).toEqual(['a/one', 'b/two', 'instance-manager']);
  });
});

describe('choosing how to authorise the node role', () => {
  const noKube = async (): Promise<KubeRest> => {
    throw new Error('aws-auth must not be touched in API mode');
  };

  it.each([
    ['API', 'access-entry'],
    ['API_AND_CONFIG_MAP', 'access-entry'],
    ['CONFIG_MAP', 'aws-auth'],
    [undefined, 'aws-auth'],
  ])('authentication mode %s → %s', async (mode, method) => {
    expect(await accessMethod(fakeEks(mode).client, CLUSTER)).toBe(method);
  });

  it('API mode creates and removes the access entry in the cluster the spec names, never aws-auth', async () => {
    const eks = fakeEks('API');
    expect(await authorizeNodeRole({ eks: eks.client, kube: noKube }, CLUSTER, ROLE, 'a/one')).toMatchObject({ method: 'access-entry', clusterName: CLUSTER, changed: true });
    expect(eks.calls.find((c) => c.command === 'CreateAccessEntry')!.input).toMatchObject({ clusterName: CLUSTER, principalArn: ROLE, type: 'EC2_LINUX' });
    expect(await revokeNodeRole({ eks: eks.client, kube: noKube }, CLUSTER, ROLE, 'a/one', () => [])).toMatchObject({ method: 'access-entry', changed: true });
    expect(eks.entries.size).toBe(0);
  });

  it('revoking in a cluster that no longer exists is a no-op, so a delete can finish', async () => {
    const { client } = stubClient<EKSClient>({
      DescribeCluster: () => {
        throw awsError('ResourceNotFoundException', 'No cluster found for name: gone.', 404);
      },
    });
    expect(await revokeNodeRole({ eks: client, kube: noKube }, 'gone', ROLE, 'a/one', () => [])).toMatchObject({ changed: false, note: 'cluster gone no longer exists; nothing to revoke' });
    await expect(authorizeNodeRole({ eks: client, kube: noKube }, 'gone', ROLE, 'a/one')).rejects.toThrow('No cluster found');
  });

  it('CONFIG_MAP mode writes aws-auth through the target cluster\'s API server', async () => {
    const connected: string[] = [];
    const written: unknown[] = [];
    const kube = async (name: string) => {
      connected.push(name);
      return {
        get: async () => {
          throw Object.assign(new Error('not found'), { statusCode: 404 });
        },
        request: async (_method: string, _path: string, options: { body: unknown }) => written.push(options.body),
      } as unknown as KubeRest;
    };
    const result = await authorizeNodeRole({ eks: fakeEks('CONFIG_MAP').client, kube }, CLUSTER, ROLE, 'a/one');
    expect(result).toMatchObject({ method: 'aws-auth', clusterName: CLUSTER, changed: true });
    expect(connected).toEqual([CLUSTER]);
    expect(JSON.stringify(written)).toContain('arn:aws:iam::111122223333:role/nodes');
  });
});
