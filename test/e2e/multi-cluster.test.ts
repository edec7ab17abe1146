// One AWS deployment, two clusters: two real API servers, each with its own relay, sending to one bus, one set of
// state machines and one set of Lambda steps. The workflows reach each cluster through one kubeconfig whose
// contexts are named as `aws eks update-kubeconfig` names them (the EKS ARN) or by cluster name, the way
// KubeconfigAccess resolves a cluster identity. The same namespace/name is applied in both clusters; each group
// reaches Ready in its own cluster, with its own AWS resources, and the events carry the cluster's region and account.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { parse, stringify } from 'yaml';
import { awsClientConfig } from '../../core/aws/config.js';
import type { InstanceGroupChange } from '../../core/events/index.js';
import { createLogger } from '../../core/log/index.js';
import { stackName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { relayConfig } from '../../in-cluster-relay/config.js';
import { startRelay, type Relay } from '../../in-cluster-relay/relay.js';
import { BUS_NAME, LOCAL_CLUSTER_NAME, startControlPlane, type ControlPlane } from '../../local/control-plane.js';
import { startInstanceBoots, type InstanceBoots } from '../../local/instances/index.js';
import { demoEksCfManifest } from '../../local/demo.js';
import { kubectl, waitForCrd } from '../../local/kubectl.js';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { REPO_ROOT } from '../../core/workflows/bindings.js';

const ACCOUNT = '123456789012'; // moto's default account
const REGION = 'us-west-2';
const SECOND = 'second-cluster';
const SECOND_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${SECOND}`;
const NS = 'team-x';

let cp: ControlPlane;
let second: TestBed;
let secondRelay: Relay | undefined;
let dir: string;
let secondAdmin: string;
let secondBoots: InstanceBoots | undefined;

type Kubeconfig = {
  clusters: { name: string; cluster: object }[];
  users: { name: string; user: object }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
};

/** One kubeconfig for the workflows: each cluster's workflows identity under a context of the given name. */
function workflowsKubeconfig(entries: { context: string; kubeconfig: string }[], fileName = 'workflows.kubeconfig'): string {
  const merged = { apiVersion: 'v1', kind: 'Config', clusters: [] as object[], users: [] as object[], contexts: [] as object[], 'current-context': entries[0]!.context };
  entries.forEach(({ context, kubeconfig }, i) => {
    const k = parse(readFileSync(kubeconfig, 'utf8')) as Kubeconfig;
    merged.clusters.push({ name: `cluster-${i}`, cluster: k.clusters[0]!.cluster });
    merged.users.push({ name: `user-${i}`, user: k.users[0]!.user });
    merged.contexts.push({ name: context, context: { cluster: `cluster-${i}`, user: `user-${i}` } });
  });
  const file = path.join(dir, fileName);
  writeFileSync(file, stringify(merged), { mode: 0o600 });
  return file;
}

function getGroup(kubeconfig: string, name: string): InstanceGroup {
  return JSON.parse(kubectl(kubeconfig, ['get', 'instancegroup', name, '-n', NS, '-o', 'json'])) as InstanceGroup;
}

async function settled(kubeconfig: string, name: string, timeoutMs = 120_000): Promise<InstanceGroup> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const group = getGroup(kubeconfig, name);
    if (group.status?.observedGeneration === group.metadata.generation && ['Ready', 'Error'].includes(group.status.currentState ?? '')) return group;
    if (Date.now() > deadline) throw new Error(`${name} did not settle: ${JSON.stringify(group.status)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'multi-cluster-'));
  cp = await startControlPlane({ resyncPeriodMs: 3_600_000 });
  // kwok and kube-controller-manager keep the second cluster's Nodes Ready, as in the first.
  second = await startTestBed({ kube: true, moto: false, kwok: true, controllerManager: true });
  secondAdmin = second.kube!.kubeconfigPath;
  kubectl(secondAdmin, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/crd.yaml')]);
  await waitForCrd(secondAdmin);
  for (const file of ['infra/k8s/relay/namespace.yaml', 'infra/k8s/relay/serviceaccount.yaml', 'infra/k8s/relay/rbac.yaml', 'infra/k8s/workflows-rbac.yaml']) {
    kubectl(secondAdmin, ['apply', '-f', path.join(REPO_ROOT, file)]);
  }
  const eks = new EKSClient(awsClientConfig());
  await eks.send(new CreateClusterCommand({ name: SECOND, roleArn: cp.account!.clusterRoleArn, resourcesVpcConfig: { subnetIds: cp.account!.subnetIds } }));
  eks.destroy();

  // Before any workflow runs: the Lambda steps read KUBECONFIG when they first reach a cluster.
  process.env.KUBECONFIG = workflowsKubeconfig([
    { context: LOCAL_CLUSTER_NAME, kubeconfig: cp.workflowsKubeconfigPath },
    { context: SECOND_ARN, kubeconfig: second.kube!.kubeconfigFor('workflows') },
  ]);
  // The steps that authorise node roles write each cluster's own aws-auth, as their own identity.
  process.env.NODE_ACCESS_KUBECONFIG = workflowsKubeconfig(
    [
      { context: LOCAL_CLUSTER_NAME, kubeconfig: cp.testBed.kube!.kubeconfigFor('node-access') },
      { context: SECOND_ARN, kubeconfig: second.kube!.kubeconfigFor('node-access') },
    ],
    'node-access.kubeconfig',
  );
  // The instances of the second cluster's groups boot into its API server.
  secondBoots = startInstanceBoots({
    aws: { endpoint: cp.motoUrl, region: REGION },
    clusters: { [SECOND]: { adminKubeconfig: secondAdmin, clientCa: second.kube!.clientCa } },
    consoleDir: path.join(dir, 'instances'),
  });

  secondRelay = await startRelay(
    relayConfig({
      eventBusName: BUS_NAME,
      clusterName: SECOND,
      clusterAccountId: ACCOUNT,
      identity: 'second-relay',
      kubeconfig: second.kube!.kubeconfigFor('relay'),
      awsEndpointUrl: cp.motoUrl,
      region: REGION,
      healthPort: 0,
      resyncPeriodMs: 3_600_000,
    }),
    { logger: createLogger({ component: 'second-relay' }, { level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) }) },
  );
}, 300_000);

afterAll(async () => {
  await secondRelay?.stop();
  await secondBoots?.stop();
  await cp?.stop();
  await second?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one deployment serving two clusters', () => {
  test('the same namespace/name in both clusters reaches Ready in each, with its own AWS resources', async () => {
    const manifest = (clusterName?: string) => {
      const group = parse(demoEksCfManifest(cp.account!)) as InstanceGroup;
      group.metadata = { name: 'workers', namespace: NS } as InstanceGroup['metadata'];
      if (clusterName) group.spec['eks-cf']!.configuration.clusterName = clusterName;
      else delete group.spec['eks-cf']!.configuration.clusterName; // the relay's cluster
      return stringify(group);
    };
    for (const kubeconfig of [cp.kubeconfigPath, secondAdmin]) kubectl(kubeconfig, ['create', 'namespace', NS]);
    kubectl(cp.kubeconfigPath, ['apply', '-f', '-'], manifest(LOCAL_CLUSTER_NAME));
    kubectl(secondAdmin, ['apply', '-f', '-'], manifest());

    const [first, other] = await Promise.all([settled(cp.kubeconfigPath, 'workers'), settled(secondAdmin, 'workers')]);
    expect(first.status).toMatchObject({ currentState: 'Ready', clusterName: LOCAL_CLUSTER_NAME });
    expect(other.status).toMatchObject({ currentState: 'Ready', clusterName: SECOND });
    expect(first.metadata.uid).not.toBe(other.metadata.uid);
    expect(first.status!.lastExecution!.name).not.toBe(other.status!.lastExecution!.name);

    // Each group has its own stack, named after its cluster.
    const cloudformation = new CloudFormationClient(awsClientConfig());
    for (const [group, cluster] of [[first, LOCAL_CLUSTER_NAME], [other, SECOND]] as const) {
      const name = stackName({ clusterName: cluster, namespace: NS, name: 'workers' });
      expect(group.status!.stackName).toBe(name);
      const [stack] = (await cloudformation.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      expect(stack?.StackStatus).toMatch(/_COMPLETE$/);
    }
    cloudformation.destroy();

    // The second cluster's events carried its whole identity.
    const sfn = new SFNClient({ ...awsClientConfig(), endpoint: cp.stepFunctionsUrl });
    const input = (await sfn.send(new DescribeExecutionCommand({ executionArn: other.status!.lastExecution!.arn! }))).input!;
    sfn.destroy();
    expect((JSON.parse(input) as InstanceGroupChange).cluster).toMatchObject({ name: SECOND, region: REGION, accountId: ACCOUNT });
  });
});
