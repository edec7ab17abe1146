// Issue 11's proof on the local control plane with instances booting (local/instances/): the eks-cf workflow
// renders the user data for the image's family, CloudFormation (moto) launches the Auto Scaling group, each
// instance boots as its image would and registers its Node as the node through the real API server (Node
// authorizer, NodeRestriction), kwok keeps it Ready, and the workflow's "Wait For Nodes To Join" loop counts and
// labels the Nodes. Nothing registers a Node on the test's behalf.
import { RegisterImageCommand } from '@aws-sdk/client-ec2';
import type { InstanceGroup } from '../../core/spec/types.js';
import { conditionOf, useControlPlane } from '../support/e2e.js';
import { clone, loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';

const JOIN_TIMEOUT_SECONDS = 30;
const saved = process.env.NODE_JOIN_TIMEOUT_SECONDS;
process.env.NODE_JOIN_TIMEOUT_SECONDS = String(JOIN_TIMEOUT_SECONDS);
afterAll(() => {
  if (saved === undefined) delete process.env.NODE_JOIN_TIMEOUT_SECONDS;
  else process.env.NODE_JOIN_TIMEOUT_SECONDS = saved;
});

const bed = useControlPlane({ interceptable: { 'eks-cf-apply': ['Authorize Node Role', 'Wait For Nodes To Join'] } });

interface KubeNode {
  metadata: { name: string; labels: Record<string, string> };
  spec: { providerID?: string; taints?: { key: string; value?: string; effect: string }[] };
  status: { nodeInfo?: { osImage?: string }; capacity?: Record<string, string>; conditions?: { type: string; status: string }[] };
}

/** The reference sample with the seeded account's network and image (or the image given). */
function seededSample(name: string, image?: string): InstanceGroup {
  const sample = clone(loadManifest(REFERENCE_SAMPLES.eksCf));
  sample.metadata.name = name;
  Object.assign(sample.spec['eks-cf']!.configuration, {
    subnets: bed.account.subnetIds,
    securityGroups: [bed.account.securityGroupId],
    image: image ?? bed.account.imageId,
  });
  return sample;
}

/** `kubectl get nodes -l <selector> -o json` */
function nodes(selector: string): KubeNode[] {
  return (JSON.parse(bed.kubectl(['get', 'nodes', '-l', selector, '-o', 'json'])) as { items: KubeNode[] }).items;
}
const groupSelector = (namespace: string, name: string) => `instancemgr.keikoproj.io/namespace=${namespace},instancemgr.keikoproj.io/instancegroup=${name}`;
const isReady = (n: KubeNode) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** After the stack is gone, the next polls of the instance emulator see the instances terminated. */
async function instancesSettled(): Promise<void> {
  await bed.plane.instanceBoots!.settled();
  await bed.plane.instanceBoots!.settled();
}

describe('eks-cf: the reference sample joins the cluster', () => {
  const ns = 'nodes-demo';
  let group: InstanceGroup;

  test('Ready means its node joined: kubectl get nodes shows it Ready with ROLES hello-world', async () => {
    group = await bed.ready(ns, seededSample('hello-world'));
    expect(group.status).toMatchObject({ currentState: 'Ready', desiredNodes: 1, readyNodes: 1 });
    expect(conditionOf(group, 'NodesReady')).toMatchObject({ status: 'True', reason: 'NodesJoined' });
    const [node, ...others] = nodes(groupSelector(ns, 'hello-world'));
    expect(others).toHaveLength(0);
    expect(node!.spec.providerID).toMatch(/^aws:\/\/\/us-west-2[a-c]\/i-[0-9a-f]+$/);
    // The sample's bootstrapArguments reach the node through bootstrap.sh (the seeded image is an AL2 image).
    expect(node!.metadata.labels).toMatchObject({ 'my-label': 'true', 'node-role.kubernetes.io/hello-world': '' });
    expect(node!.spec.taints).toContainEqual({ key: 'my-taint-key', value: 'my-taint-value', effect: 'NoSchedule' });
    expect(node!.status.nodeInfo?.osImage).toBe('Amazon Linux 2');
    expect(bed.kubectl(['get', 'nodes', node!.metadata.name])).toMatch(new RegExp(`${node!.metadata.name.replace(/\./g, '\\.')}\\s+Ready\\s+hello-world\\s`));
  });

  test('scaling 1 → 3 gives three Ready nodes', async () => {
    const scaled = clone(group);
    scaled.spec['eks-cf']!.minSize = 3;
    group = await bed.ready(ns, scaled);
    expect(group.status).toMatchObject({ currentState: 'Ready', desiredNodes: 3, readyNodes: 3 });
    const ready = nodes(groupSelector(ns, 'hello-world')).filter(isReady);
    expect(ready).toHaveLength(3);
    for (const node of ready) expect(node.metadata.labels['node-role.kubernetes.io/hello-world']).toBe('');
  });

  test('deleting the group removes its nodes', async () => {
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
    await instancesSettled();
    expect(nodes(groupSelector(ns, 'hello-world'))).toEqual([]);
  });
});

describe('eks-cf: each image family joins', () => {
  const families = {
    al2023: { name: 'amazon-eks-node-al2023-x86_64-standard-1.33-v20251120', description: 'EKS-optimized Kubernetes node based on Amazon Linux 2023', osImage: 'Amazon Linux 2023' },
    bottlerocket: { name: 'bottlerocket-aws-k8s-1.33-x86_64-v1.50.0-4c9f5b1e', description: 'bottlerocket-aws-k8s-1.33', osImage: 'Bottlerocket OS' },
    al2: { name: '', description: '', osImage: 'Amazon Linux 2' },
  } as const;

  test.each(Object.keys(families) as (keyof typeof families)[])('%s', async (family) => {
    const { name, description, osImage } = families[family];
    const image = family === 'al2' ? bed.account.imageId : (await bed.aws.ec2.send(new RegisterImageCommand({ Name: name, Description: description }))).ImageId!;
    const ns = `family-${family}`;
    // Structured node settings, rendered for each family (Bottlerocket reads no kubelet flags, so no bootstrapArguments).
    const sample = seededSample('hello-world', image);
    const configuration = sample.spec['eks-cf']!.configuration as unknown as Record<string, unknown>;
    delete configuration.bootstrapArguments;
    Object.assign(configuration, {
      nodeLabels: { 'my-label': 'true' },
      taints: [{ key: 'my-taint-key', value: 'my-taint-value', effect: 'NoSchedule' }],
      maxPods: 20,
    });
    const group = await bed.ready(ns, sample);
    expect(group.status).toMatchObject({ currentState: 'Ready', desiredNodes: 1, readyNodes: 1 });
    const [node] = nodes(groupSelector(ns, 'hello-world'));
    expect(node?.status.nodeInfo?.osImage).toBe(osImage);
    expect(node?.metadata.labels).toMatchObject({ 'my-label': 'true', 'node-role.kubernetes.io/hello-world': '' });
    expect(node?.spec.taints).toContainEqual({ key: 'my-taint-key', value: 'my-taint-value', effect: 'NoSchedule' });
    expect(node?.status.capacity?.pods).toBe('20');
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });
});

describe('NodeEvent: the node-join wait is resumed by the relay\'s node-ready event', () => {
  /** What "Wait For Nodes To Join" left at $.nodeEvent, each time it ran in the group's apply. */
  async function nodeWaits(group: InstanceGroup) {
    const execution = await bed.execution(group);
    const history = bed.plane.stepFunctions.getExecutionRecord(execution.arn)!.events;
    const waits = history
      .filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Wait For Nodes To Join')
      .map((e) => JSON.parse(e.stateExitedEventDetails!.output!).nodeEvent as { seenBy?: string; node?: string; Error?: string });
    return { execution, history, waits };
  }

  /**
   * Holds "Authorize Node Role" back (no node can join yet) and runs it from inside the node-join wait, after
   * `wait` ran: the node joins only once the wait has begun, as in AWS, where instances boot for minutes.
   */
  function joinDuringTheWait(ref: { namespace: string; name: string }, wait: (event: any, context: any, real: any) => Promise<unknown>) {
    let authorize: (() => Promise<unknown>) | undefined;
    bed.intercept('eks-cf-apply', 'Authorize Node Role', ref, async (event, context, real) => {
      authorize = async () => real(event, context);
      return { changed: false, note: 'held back by the test until the node-join wait has begun' };
    });
    bed.intercept('eks-cf-apply', 'Wait For Nodes To Join', ref, async (event, context, real) => {
      const result = await wait(event, context, real);
      const held = authorize;
      authorize = undefined;
      await held?.();
      return result;
    });
  }

  test('a node that joins while the workflow waits resumes it by its event, not the fallback', async () => {
    const ref = { namespace: 'node-event', name: 'evented' };
    // The real wait: stores its token on the group and finds no node Ready. Nothing hands the token back then but
    // the relay's Node watch → EventBridge rule (local dispatch) → eks-cf-node-event.
    joinDuringTheWait(ref, (event, context, real) => real(event, context));
    const group = await bed.ready(ref.namespace, seededSample(ref.name));
    expect(group.status).toMatchObject({ currentState: 'Ready', desiredNodes: 1, readyNodes: 1 });
    const { execution, history, waits } = await nodeWaits(group);
    const [node] = nodes(groupSelector(ref.namespace, ref.name));
    expect(waits).toEqual([{ node: node!.metadata.name, eventTime: expect.any(String), seenBy: 'node-event' }]);
    // The 30 s fallback (TimeoutSeconds) would have left a States.Timeout and a TaskTimedOut instead.
    expect(history.filter((e) => e.type === 'TaskTimedOut')).toEqual([]);
    expect(execution.path.slice(execution.path.indexOf('Wait For Nodes To Join'))).toEqual(['Wait For Nodes To Join', 'Check Nodes', 'Have The Nodes Joined?', 'Report Ready', 'Ready']);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });

  test('a lost event costs the fallback: one check after the timeout, and the group still ends Ready', async () => {
    const ref = { namespace: 'node-event', name: 'lost' };
    // The wait never stores its token, so the node's event finds no wait to hand back: as if it were lost.
    joinDuringTheWait(ref, async () => ({ waiting: true, ready: 0, desired: 1 }));
    const group = await bed.ready(ref.namespace, seededSample(ref.name));
    expect(group.status).toMatchObject({ currentState: 'Ready', desiredNodes: 1, readyNodes: 1 });
    const { execution, waits } = await nodeWaits(group);
    expect(waits).toEqual([expect.objectContaining({ Error: 'States.Timeout' })]);
    expect(execution.path.slice(execution.path.indexOf('Wait For Nodes To Join'))).toEqual(['Wait For Nodes To Join', 'Check Nodes', 'Have The Nodes Joined?', 'Report Ready', 'Ready']);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });
});

test('a group whose role the cluster does not authorise ends in Error: 0 of 1 nodes joined', async () => {
  const ref = { namespace: 'unmapped', name: 'hello-world' };
  // Stands in for a node role that never gets authorised (no aws-auth entry, no access entry): the step is skipped.
  bed.intercept('eks-cf-apply', 'Authorize Node Role', ref, async () => ({ changed: false, note: 'left unmapped by the test' }));
  const { group, execution } = await bed.failing(ref.namespace, seededSample(ref.name));
  expect(group.status).toMatchObject({ currentState: 'Error', desiredNodes: 1, readyNodes: 0 });
  expect(conditionOf(group)?.message).toMatch(new RegExp(`^0 of 1 nodes joined within ${JOIN_TIMEOUT_SECONDS} s; check the node role mapping`));
  expect(execution.error).toBe('NodesNotJoinedError');
  expect(nodes(groupSelector(ref.namespace, ref.name))).toEqual([]);
  const waiting = bed.plane.instanceBoots!.instances().filter((i) => i.phase === 'waiting');
  expect(waiting.map((i) => i.reason)).toContainEqual(expect.stringMatching(/is not mapped in kube-system\/aws-auth/));
  expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
});
