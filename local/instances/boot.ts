// One instance booting: its boot agent reads the user data (as the image's family does), checks the cluster it
// names, and its kubelet registers the Node as the node's own identity once the role is authorised. Failures of the
// boot agent are final (nodeadm / bootstrap.sh exit, the kubelet never starts); an unauthorised kubelet keeps
// retrying, so that step runs again on every poll until it succeeds or is refused for good.
import { KubeApiError, KubeRest } from '../../core/kube/rest.js';
import { issueClientCertificate, type ClientCa } from '../testbed/pki.js';
import { NotAuthorised, nodeUserFromAwsAuth } from './aws-auth.js';
import type { AwsFacts, InstanceSummary } from './aws-facts.js';
import { BootError, type BootConfig } from './boot-config.js';
import type { BootConsole } from './boot-console.js';
import { checkAgainstCluster } from './cluster-check.js';
import { imageFamily } from './image-family.js';
import { nodeObject, type NodeFacts } from './node-object.js';
import { readBootConfig } from './userdata/index.js';

export type BootPhase = 'booting' | 'waiting' | 'joined' | 'failed' | 'gone';

export interface ClusterTarget {
  /** The API server standing for the cluster (server URL + CA), with an identity that may read aws-auth. */
  admin: KubeRest;
  clientCa: ClientCa;
}

export interface BootState {
  instanceId: string;
  groupName?: string;
  phase: BootPhase;
  /** Why the instance has not joined (yet), in the words its console used. */
  reason?: string;
  nodeName?: string;
  clusterName?: string;
  boot?: BootConfig;
  node?: NodeFacts;
  roleArn?: string;
  bootedAt: number;
  joinedAt?: number;
}

export interface BootContext {
  facts: AwsFacts;
  clusters: Record<string, ClusterTarget>;
  console: BootConsole;
  region: string;
}

/** The boot agent's part: image family, user data, cluster check. Returns the state to go on from. */
export async function bootAgent(instance: InstanceSummary, state: BootState, ctx: BootContext): Promise<void> {
  const { console: out, facts } = ctx;
  const raw = instance.raw;
  const zone = raw.Placement?.AvailabilityZone ?? `${ctx.region}a`;
  out.print(`[ec2] ${instance.instanceId} running: image ${raw.ImageId}, ${raw.InstanceType}, ${zone}, ${raw.PrivateDnsName}, group ${instance.groupName}`);
  const image = raw.ImageId ? await facts.image(raw.ImageId) : undefined;
  const verdict = imageFamily(image ?? {});
  out.print(`[ec2] image ${raw.ImageId} (${image?.name ?? 'unknown name'}) is ${verdict.because}`);
  if (!verdict.family) throw new BootError(`image ${raw.ImageId} has no boot agent that joins an EKS cluster: ${verdict.because}`);
  const userData = await facts.userData(instance);
  const agent = { al2023: 'nodeadm', bottlerocket: 'bottlerocket early-boot-config', al2: 'cloud-init + /etc/eks/bootstrap.sh' }[verdict.family];
  out.print(`[${agent}] reading ${userData.length} bytes of user data`);
  const parsed = await readBootConfig(verdict.family, userData);
  out.print(`[${agent}] cluster ${parsed.clusterName}, endpoint ${parsed.apiServerEndpoint ?? '(from DescribeCluster)'}, labels ${JSON.stringify(parsed.labels)}, taints ${JSON.stringify(parsed.taints)}`);
  const boot = checkAgainstCluster(parsed, await facts.cluster(parsed.clusterName));
  if (!ctx.clusters[boot.clusterName]) {
    throw new BootError(`cluster "${boot.clusterName}" has no API server in this test bed: the node would join that cluster, not this one`);
  }
  const typeFacts = raw.InstanceType ? await facts.instanceType(raw.InstanceType) : undefined;
  state.boot = boot;
  state.clusterName = boot.clusterName;
  state.nodeName = raw.PrivateDnsName!;
  state.node = {
    name: raw.PrivateDnsName!,
    instanceId: instance.instanceId,
    zone,
    region: ctx.region,
    instanceType: raw.InstanceType ?? 'unknown',
    architecture: image?.architecture ?? raw.Architecture ?? 'x86_64',
    ...(raw.PrivateIpAddress ? { privateIp: raw.PrivateIpAddress } : {}),
    ...(typeFacts ? { typeFacts } : {}),
  };
  out.print(`[${agent}] configuration matches cluster ${boot.clusterName}; starting kubelet as ${state.nodeName}`);
}

/** The kubelet's part: authenticate as the role's mapped identity and register the Node. */
export async function kubeletRegister(instance: InstanceSummary, state: BootState, ctx: BootContext): Promise<void> {
  const { console: out } = ctx;
  const target = ctx.clusters[state.clusterName!]!;
  state.roleArn ??= await ctx.facts.roleArn(instance);
  if (!state.roleArn) throw new NotAuthorised('the instance has no instance profile: no credentials to authenticate with');
  const user = await nodeUserFromAwsAuth(target.admin, {
    roleArn: state.roleArn,
    privateDnsName: state.nodeName!,
    instanceId: instance.instanceId,
    accountId: instance.accountId,
  });
  const cert = await issueClientCertificate(target.clientCa, user.username, user.groups);
  const { server, caPem } = target.admin.connection;
  const asNode = new KubeRest({ server, ...(caPem ? { caPem } : {}), certPem: cert.certPem, keyPem: cert.keyPem });
  try {
    await asNode.request('POST', '/api/v1/nodes', { body: nodeObject(state.boot!, state.node!) });
    out.print(`[kubelet] Successfully registered node ${state.nodeName} as ${user.username} (${user.groups.join(', ')})`);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.code !== 409) throw error;
    out.print(`[kubelet] node ${state.nodeName} was already registered`);
  } finally {
    asNode.close();
  }
}

export { BootError, NotAuthorised };
