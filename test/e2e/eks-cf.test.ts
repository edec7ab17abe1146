// eks-cf apply and delete, end to end on the local control plane: kubectl apply → the relay → moto's EventBridge →
// the rule's queue → the dispatcher → the real ASL with the real handlers, as the `workflows` identity with the RBAC
// we ship. Each test works in its own namespace; a user's view (kubectl, status, Events) and moto's state are
// checked, and the execution records where the test is about the workflow itself.
import { readFileSync } from 'node:fs';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeStackEventsCommand, DescribeStacksCommand, GetTemplateCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateKeyPairCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, ListInstanceProfilesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { parse, stringify } from 'yaml';
import { FINALIZER, stackName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import { MANAGED_ROLES_ANNOTATION, mappableRoleArn } from '../../functions/shared/aws-auth.js';
import { storeStackWait } from '../../functions/eks-cf/stack-events.js';
import { KubeconfigAccess } from '../../core/kube/access.js';
import { INJECTION_SPECS, WEAKENING_FLAG_SPECS } from '../fixtures/invalid-specs.js';
import { conditionOf, useControlPlane } from '../support/e2e.js';
import { kubectl as tryKubectl } from '../support/kubectl.js';
import { clone, loadManifest, REFERENCE_SAMPLES } from '../support/fixtures.js';

const CLUSTER = 'my-eks-cluster';
const bed = useControlPlane({
  interceptable: { 'eks-cf-apply': ['Read Instance Group', 'Create Or Update Stack', 'Wait For CloudFormation', 'Authorize Node Role'] },
});

/** The reference sample, with the placeholder IDs replaced by resources that exist in the emulated account. */
function seededSample(name = 'hello-world', change: (cf: NonNullable<InstanceGroup['spec']['eks-cf']>) => void = () => {}): InstanceGroup {
  const sample = clone(loadManifest(REFERENCE_SAMPLES.eksCf));
  sample.metadata.name = name;
  const cf = sample.spec['eks-cf']!;
  Object.assign(cf.configuration, { subnets: bed.account.subnetIds, securityGroups: [bed.account.securityGroupId], image: bed.account.imageId });
  change(cf);
  return sample;
}

const stackOf = (namespace: string, name = 'hello-world') => stackName({ clusterName: CLUSTER, namespace, name });

async function stackEventCount(name: string): Promise<number> {
  const { StackEvents } = await bed.aws.cf.send(new DescribeStackEventsCommand({ StackName: name }));
  return StackEvents?.length ?? 0;
}

async function asgOf(name: string) {
  return (await bed.aws.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;
}

async function liveStacks(prefix: string) {
  const stacks = (await bed.aws.cf.send(new ListStacksCommand({}))).StackSummaries ?? [];
  return stacks.filter((s) => s.StackName?.startsWith(prefix) && s.StackStatus !== 'DELETE_COMPLETE');
}

function awsAuth(): { mapRoles: { rolearn: string; username: string; groups: string[] }[]; managed: Record<string, string[]> } {
  const cm = JSON.parse(bed.kubectl(['get', 'configmap', 'aws-auth', '-n', 'kube-system', '-o', 'json'])) as {
    data?: { mapRoles?: string };
    metadata: { annotations?: Record<string, string> };
  };
  return {
    mapRoles: (parse(cm.data?.mapRoles ?? '[]') ?? []) as never,
    managed: JSON.parse(cm.metadata.annotations?.[MANAGED_ROLES_ANNOTATION] ?? '{}') as Record<string, string[]>,
  };
}

describe('eks-cf apply and delete on the local control plane', () => {
  test('ReferenceSampleAsWritten_TerminalErrorCaught: the placeholder subnets and security group are named, nothing is created', async () => {
    const { group, execution } = await bed.failing('default', readFileSync(REFERENCE_SAMPLES.eksCf, 'utf8'));

    const status = group.status!;
    const ready = conditionOf(group)!;
    expect(ready.reason).toBe('MissingReference');
    expect(ready.message).toContain('sg-q1w2e3r4t5y6u7i8 does not exist in us-west-2');
    expect(ready.message).toContain('in step "Check AWS References"');
    expect(status.lastExecution?.retryable).toBe(false);
    expect(bed.kubectl(['get', 'instancegroups', '-n', 'default'])).toMatch(/hello-world\s+Error\s+1\s+3\s+eks-cf/);
    expect(bed.events('default', 'MissingReference').map((e) => e.type)).toEqual(['Warning']);

    expect(execution.error).toBe('MissingReferenceError');
    for (const id of ['subnet-1a2b3c4d', 'subnet-4d3c2b1a', 'subnet-0w9x8y7z', 'sg-q1w2e3r4t5y6u7i8']) expect(execution.cause).toContain(id);
    expect(execution.cause).toContain('spec.eks-cf.configuration.subnets: subnet-1a2b3c4d does not exist in us-west-2');
    // The execution failed at the step itself (so that Redrive resumes there); its Cause is that step's Lambda error.
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: 'MissingReferenceError' });
    expect(execution.path).not.toContain('Create Or Update Stack');
    expect(await liveStacks(stackOf('default'))).toEqual([]);

    const deleted = await bed.remove(group.metadata);
    expect(deleted.status).toBe('SUCCEEDED');
    expect(bed.group(group.metadata)).toBeUndefined();
  });

  test('HappyPath: the sample with existing IDs reaches Ready with its columns filled', async () => {
    const group = await bed.ready('team-a', seededSample());
    const name = stackOf('team-a');
    expect(bed.kubectl(['get', 'instancegroups', '-n', 'team-a'])).toMatch(new RegExp(`hello-world\\s+Ready\\s+1\\s+3\\s+${name}\\s+eks-cf`));

    const status = group.status!;
    expect(group.metadata.finalizers).toEqual([FINALIZER]);
    expect(status).toMatchObject({ currentState: 'Ready', currentMin: 1, currentMax: 3, stackName: name, activeScalingGroupName: name, observedGeneration: 1 });
    // Under instance-manager's own IAM path, to which its PassRole and role permissions are scoped (issue 13).
    expect(status.nodesInstanceRoleArn).toMatch(/^arn:aws:iam::123456789012:role\/instance-manager\/my-eks-cluster-team-a-hello-world-nodes-/);
    expect(status.lastExecution?.consoleUrl).toContain('console.aws.amazon.com/states');
    const events = bed.events('team-a').map((e) => `${e.reason}: ${e.message}`);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Reconciling: Execution team-a-hello-world-[0-9a-f]{8}-g1-apply started for generation 1\.$/),
        'Ready: Generation 1 is in place.',
      ]),
    );

    const asg = await asgOf(name);
    expect([asg.MinSize, asg.MaxSize, asg.DesiredCapacity]).toEqual([1, 3, 1]);
    const auth = awsAuth();
    // aws-auth takes role ARNs without their path.
    expect(auth.mapRoles).toContainEqual({ rolearn: mappableRoleArn(status.nodesInstanceRoleArn!), username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] });
    expect(auth.managed[mappableRoleArn(status.nodesInstanceRoleArn!)]).toEqual(['team-a/hello-world']);
    expect((await bed.execution(group)).path.at(-1)).toBe('Ready');

    // The seeded image says it is Amazon Linux 2: bootstrap.sh, with the endpoint and CA moto's DescribeCluster gives.
    expect(status).toMatchObject({ imageId: bed.account.imageId, imageFamily: 'al2' });
    const { cluster } = await bed.aws.eks.send(new DescribeClusterCommand({ name: CLUSTER }));
    const { LaunchTemplateVersions } = await bed.aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: status.activeLaunchTemplateName! }));
    const data = LaunchTemplateVersions![0]!.LaunchTemplateData!;
    const userData = Buffer.from(data.UserData!, 'base64').toString('utf8');
    expect(userData).toContain(`--apiserver-endpoint '${cluster!.endpoint}' --b64-cluster-ca '${cluster!.certificateAuthority!.data}'`);
    expect(userData).toContain('instancemgr.keikoproj.io/instancegroup=hello-world');
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    // The instance booted from that user data and joined: Ready means its Node is registered and Ready.
    expect(conditionOf(group, 'NodesReady')).toMatchObject({ status: 'True', reason: 'NodesJoined' });
    expect(status).toMatchObject({ readyNodes: 1, desiredNodes: 1 });
    expect(bed.kubectl(['get', 'nodes', '-l', 'instancemgr.keikoproj.io/namespace=team-a'])).toMatch(/\sReady\s+hello-world\s/);
  });

  test('ReapplyNoop: the same manifest starts nothing; an equivalent spec runs the workflow, which calls no UpdateStack', async () => {
    const created = await bed.ready('reapply', seededSample());
    const name = stackOf('reapply');
    const eventsBefore = await stackEventCount(name);

    expect(bed.apply('reapply', seededSample()).metadata.generation).toBe(1);
    // A default spelled out: a new generation whose template is the same, so the stack comparison decides.
    const equivalent = bed.apply('reapply', seededSample('hello-world', (cf) => (cf.configuration.volType = 'gp3')));
    expect(equivalent.metadata.generation).toBe(2);
    const group = await bed.settled(equivalent.metadata);

    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 2, stackName: name });
    const execution = await bed.execution(group);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path).toEqual(expect.arrayContaining(['Create Or Update Stack', 'Authorize Node Role', 'Ready']));
    const stack = (await bed.aws.cf.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(await stackEventCount(name)).toBe(eventsBefore);
    expect(group.status!.nodesInstanceRoleArn).toBe(created.status!.nodesInstanceRoleArn);
  });

  test('ScaleAndRollingUpdate: a size change updates the stack without an UpdatePolicy (the workflow rotates), status follows', async () => {
    await bed.ready('scale', seededSample());
    const name = stackOf('scale');
    const manifest = seededSample('hello-world', (cf) => Object.assign(cf, { minSize: 2, maxSize: 5 }));
    manifest.spec.strategy = { type: 'rollingUpdate', rollingUpdate: { maxBatchSize: 2, minInstancesInService: 1, pauseTime: 'PT1M' } };
    const updated = bed.apply('scale', manifest);
    expect(updated.metadata.generation).toBe(2);
    const group = await bed.settled(updated.metadata);

    expect(group.status).toMatchObject({ currentState: 'Ready', currentMin: 2, currentMax: 5, observedGeneration: 2 });
    expect(bed.kubectl(['get', 'instancegroups', '-n', 'scale'])).toMatch(new RegExp(`hello-world\\s+Ready\\s+2\\s+5\\s+${name}\\s+eks-cf`));
    const stack = (await bed.aws.cf.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
    const body = (await bed.aws.cf.send(new GetTemplateCommand({ StackName: name }))).TemplateBody!;
    const template = JSON.parse(body) as { Resources: { NodeGroup: { UpdatePolicy: unknown } } };
    expect(template.Resources.NodeGroup.UpdatePolicy).toBeUndefined();
    const asg = await asgOf(name);
    expect([asg.MinSize, asg.MaxSize]).toEqual([2, 5]);
    expect(asg.DesiredCapacity).toBeGreaterThanOrEqual(2);
  });

  test('SupersededGeneration: an execution whose generation was replaced while it started ends without touching the stack', async () => {
    await bed.ready('superseded', seededSample());
    const name = stackOf('superseded');
    const eventsBefore = await stackEventCount(name);
    // Generation 2 raises maxSize; generation 3, back to the first spec, arrives just as generation 2's execution starts.
    const { older: execution, group } = await bed.supersede(
      'eks-cf-apply',
      { namespace: 'superseded', name: 'hello-world' },
      seededSample('hello-world', (cf) => (cf.maxSize = 6)),
      seededSample(),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path.at(-1)).toBe('Superseded By A Newer Generation');
    expect(execution.path).not.toContain('Create Or Update Stack');
    expect(await stackEventCount(name)).toBe(eventsBefore);
    expect((await asgOf(name)).MaxSize).toBe(3);
    expect(group.status).toMatchObject({ currentState: 'Ready', currentMax: 3, observedGeneration: 3 });
  });

  test('FailedThenReplayed: a missing key pair ends in Error; after creating it, imctl replay reaches Ready', async () => {
    const failed = await bed.failing('replay', seededSample('late-key', (cf) => (cf.configuration.keyPairName = 'not-yet-created')));
    expect(conditionOf(failed.group)!.message).toContain('key pair not-yet-created does not exist in us-west-2');
    expect(failed.execution.cause).toContain('spec.eks-cf.configuration.keyPairName: key pair not-yet-created does not exist in us-west-2');

    await bed.aws.ec2.send(new CreateKeyPairCommand({ KeyName: 'not-yet-created' }));
    // The execution stopped at the step that failed, so replay redrives it from there (issue 14): same attempt.
    const replay = await bed.imctl('replay', 'replay/late-key', '--wait', '--timeout', '1m');
    expect(replay.out).toMatch(/Redrove/);
    expect(replay.out).toMatch(/Result: SUCCEEDED$/);
    expect(replay.code).toBe(0);

    const group = await bed.settled(failed.group.metadata, { attempt: 1 });
    expect(group.status!.currentState).toBe('Ready');
    expect(conditionOf(group)!.status).toBe('True');
    expect((await bed.execution(group, { attempt: 1 })).status).toBe('SUCCEEDED');
  });

  test('BadImage_TerminalErrorCaught: an AMI that does not exist ends in Error naming it', async () => {
    const { group, execution } = await bed.failing('bad-image', seededSample('bad-image', (cf) => (cf.configuration.image = 'ami-0123456789abcdef0')));
    expect(conditionOf(group)!.message).toContain('spec.eks-cf.configuration.image: ami-0123456789abcdef0 does not exist in us-west-2');
    expect(execution.cause).toContain('spec.eks-cf.configuration.image: ami-0123456789abcdef0 does not exist in us-west-2');
    expect(await liveStacks(stackOf('bad-image', 'bad-image'))).toEqual([]);
  });

  test('TransientErrorRetriedThenCaught: a step that keeps failing transiently is retried, reported as retryable; the relay runs the generation again, which leaves the stack alone', async () => {
    const ref = { namespace: 'transient', name: 'hello-world' };
    let calls = 0;
    bed.intercept('eks-cf-apply', 'Authorize Node Role', ref, async () => {
      calls++;
      const error = new Error('Rate exceeded');
      error.name = 'RetryableError';
      throw error;
    });
    const { group: failed, execution } = await bed.failing(ref.namespace, seededSample());
    expect(calls).toBe(6); // 1 + 5 retries from the RetryableError retrier
    expect(failed.status!.lastExecution).toMatchObject({ retryable: true, result: 'Failed', attempt: 1 });
    expect(conditionOf(failed)!.message).toContain('in step "Authorize Node Role"');
    expect(execution.error).toBe('RetryableError');
    const name = stackOf('transient');
    const eventsBefore = await stackEventCount(name);

    // The cause goes away; the relay's next pass sends attempt 2 of the same generation. The stack it created is
    // unchanged, and moto would not say so ("No updates are to be performed"): our own comparison must.
    bed.clearIntercepts();
    await bed.plane.relay.resyncNow();
    const group = await bed.settled(ref, { attempt: 2 });
    expect(group.status).toMatchObject({ currentState: 'Ready', observedGeneration: 1, stackName: name });
    const retried = await bed.execution(group, { attempt: 2 });
    expect(retried.status).toBe('SUCCEEDED');
    expect(retried.path).toContain('Create Or Update Stack');
    expect(await stackEventCount(name)).toBe(eventsBefore);
    expect(awsAuth().mapRoles.map((e) => e.rolearn)).toContain(mappableRoleArn(group.status!.nodesInstanceRoleArn!));
  });

  test('WaitLoop: a stack still in progress goes through Wait For CloudFormation and Check Stack Progress until settled', async () => {
    // moto finishes stacks at once; the create step's first look reports "in progress" so the real loop runs.
    bed.intercept('eks-cf-apply', 'Create Or Update Stack', { namespace: 'wait-loop', name: 'slow' }, async (event, context, real) => ({
      ...((await real(event, context)) as object),
      settled: false,
      status: 'CREATE_IN_PROGRESS',
    }));
    const group = await bed.ready('wait-loop', seededSample('slow'));
    expect(group.status!.activeScalingGroupName).toBe(stackOf('wait-loop', 'slow'));
    const { path } = await bed.execution(group);
    const at = path.indexOf('Create Or Update Stack');
    expect(path.slice(at, at + 6)).toEqual([
      'Create Or Update Stack',
      'Is The Stack Ready?',
      'Wait For CloudFormation',
      'Check Stack Progress',
      'Is The Stack Ready?',
      'Authorize Node Role',
    ]);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });

  test('StackEvent: a stack that settles after the wait began resumes the workflow by its CloudFormation event, not the fallback', async () => {
    const ref = { namespace: 'stack-event', name: 'evented' };
    // moto settles a stack inside CreateStack, before any wait could begin. Here the stack is created only once the
    // wait has left its token on the group and found the stack not settled: what happens in AWS, where CloudFormation
    // finishes minutes after the call. Nothing hands the token back but local/cfn-events → eks-cf-stack-event.
    let createStack: (() => Promise<unknown>) | undefined;
    bed.intercept('eks-cf-apply', 'Create Or Update Stack', ref, async (event, context, real) => {
      createStack = async () => real(event, context);
      return { stackName: stackOf(ref.namespace, ref.name), status: 'CREATE_IN_PROGRESS', settled: false, gone: false, polls: 0, action: 'create' };
    });
    bed.intercept('eks-cf-apply', 'Wait For CloudFormation', ref, async (event) => {
      const input = event as typeof event & { group: { ref: { namespace: string; name: string } }; stack: { stackName: string }; taskToken: string };
      const wait = { taskToken: input.taskToken, stackName: input.stack.stackName, purpose: 'apply' as const, executionArn: input.execution.arn };
      await storeStackWait({ cluster: input.change.cluster, ref: input.group.ref, wait }, new KubeconfigAccess(bed.plane.workflowsKubeconfigPath));
      await createStack!();
      return { waiting: true, status: 'CREATE_IN_PROGRESS' };
    });
    const group = await bed.ready(ref.namespace, seededSample(ref.name));
    expect(group.status!.activeScalingGroupName).toBe(stackOf(ref.namespace, ref.name));

    const execution = await bed.execution(group);
    expect(execution.path).toEqual(expect.arrayContaining(['Wait For CloudFormation', 'Check Stack Progress', 'Authorize Node Role', 'Ready']));
    const history = bed.plane.stepFunctions.getExecutionRecord(execution.arn)!.events;
    const exited = history.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Wait For CloudFormation');
    // The token came back through SendTaskSuccess from the stack-event handler, with CloudFormation's status; the
    // 60 s fallback (TimeoutSeconds) would have left a States.Timeout there instead.
    expect(JSON.parse(exited!.stateExitedEventDetails!.output!).stackEvent).toMatchObject({ stackStatus: 'CREATE_COMPLETE', seenBy: 'stack-event' });
    expect(history.filter((e) => e.type === 'TaskTimedOut')).toEqual([]);
    expect((await bed.remove(group.metadata)).status).toBe('SUCCEEDED');
  });

  test('BootInjectionRefused: each injection form and each weakening kubelet flag is refused at admission; nothing reaches AWS', async () => {
    const namespace = bed.namespace('injection');
    const cases = [...INJECTION_SPECS, ...WEAKENING_FLAG_SPECS];
    for (const [i, invalid] of cases.entries()) {
      const manifest = seededSample(`inject-${i}`);
      manifest.spec['eks-cf']!.configuration.bootstrapArguments = invalid.spec['eks-cf'].configuration.bootstrapArguments;
      const result = tryKubectl(bed.plane.kubeconfigPath, ['apply', '-n', namespace, '-f', '-'], stringify(manifest));
      expect([invalid.title, result.code]).not.toEqual([invalid.title, 0]);
      expect(result.stderr).toContain('spec.eks-cf.configuration.bootstrapArguments');
      if (invalid.says) expect(result.stderr).toContain(invalid.says);
    }
    expect(bed.kubectl(['get', 'instancegroups', '-n', namespace, '-o', 'name']).trim()).toBe('');
    expect(await liveStacks(`${CLUSTER}-${namespace}-`)).toEqual([]);
  });

  test('DeleteDuringCreate: a delete that arrives while the stack is being created ends in a clean delete', async () => {
    const ref = { namespace: 'delete-early', name: 'hello-world' };
    // Right after CreateStack, while the apply still treats the stack as in progress, the user deletes the group.
    bed.intercept('eks-cf-apply', 'Create Or Update Stack', ref, async (event, context, real) => {
      const result = (await real(event, context)) as object;
      bed.kubectl(['delete', 'instancegroup', ref.name, '-n', ref.namespace, '--wait=false']);
      return { ...result, settled: false, status: 'CREATE_IN_PROGRESS' };
    });
    const applied = bed.apply(ref.namespace, seededSample());
    await bed.gone(ref);

    const apply = await bed.execution(applied);
    // The apply ends without error whichever way the race goes; what it leaves behind is what matters.
    expect(apply.status).toBe('SUCCEEDED');
    const remove = await bed.execution(applied, { operation: 'delete', generation: applied.metadata.generation + 1 });
    expect(remove.status).toBe('SUCCEEDED');
    expect(await liveStacks(stackOf(ref.namespace))).toEqual([]);
    expect(JSON.stringify(awsAuth())).not.toContain('delete-early');
  });

  test('SharedRole: two groups share an existing role; deleting one keeps the mapping, deleting both removes only ours', async () => {
    await bed.aws.iam.send(new CreateRoleCommand({ RoleName: 'shared-nodes', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }));
    await bed.aws.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'shared-nodes' }));
    await bed.aws.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'shared-nodes', RoleName: 'shared-nodes' }));
    // An entry someone added by hand: never touched.
    const manual = { rolearn: 'arn:aws:iam::123456789012:role/manual-nodes', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
    const cm = JSON.parse(bed.kubectl(['get', 'configmap', 'aws-auth', '-n', 'kube-system', '-o', 'json'])) as { data: { mapRoles: string } };
    cm.data.mapRoles = stringify([...(parse(cm.data.mapRoles) as object[]), manual]);
    bed.kubectl(['replace', '-f', '-'], JSON.stringify(cm));

    const manifest = seededSample('workers', (cf) => Object.assign(cf.configuration, { roleName: 'shared-nodes', instanceProfileName: 'shared-nodes' }));
    const [one, two] = await Promise.all(['shared-1', 'shared-2'].map((ns) => bed.ready(ns, manifest)));
    const roleArn = 'arn:aws:iam::123456789012:role/shared-nodes';
    expect([one!.status!.nodesInstanceRoleArn, two!.status!.nodesInstanceRoleArn]).toEqual([roleArn, roleArn]);
    expect(awsAuth().managed[roleArn]).toEqual(['shared-1/workers', 'shared-2/workers']);
    expect(awsAuth().mapRoles.filter((e) => e.rolearn === roleArn)).toHaveLength(1);

    expect((await bed.remove(one!.metadata)).status).toBe('SUCCEEDED');
    expect(awsAuth().mapRoles.map((e) => e.rolearn)).toEqual(expect.arrayContaining([roleArn, manual.rolearn]));
    expect(awsAuth().managed[roleArn]).toEqual(['shared-2/workers']);

    expect((await bed.remove(two!.metadata)).status).toBe('SUCCEEDED');
    expect(awsAuth().mapRoles.map((e) => e.rolearn)).not.toContain(roleArn);
    expect(awsAuth().mapRoles).toContainEqual(manual);
    // The existing role is not ours: it stays.
    const roles = (await bed.aws.iam.send(new ListRolesCommand({}))).Roles ?? [];
    expect(roles.map((r) => r.RoleName)).toContain('shared-nodes');
  });

  test('DeleteHappyPath: delete removes stack, role, instance profile, launch template, ASG and aws-auth entry, then the object', async () => {
    const group = await bed.ready('delete', seededSample());
    const name = stackOf('delete');
    const prefix = 'my-eks-cluster-delete-hello-world';
    const roleArn = mappableRoleArn(group.status!.nodesInstanceRoleArn!);
    expect(awsAuth().mapRoles.map((e) => e.rolearn)).toContain(roleArn);

    const execution = await bed.remove(group.metadata);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.path.at(-1)).toBe('Deleted');
    expect(bed.group(group.metadata)).toBeUndefined();
    expect(bed.events('delete').map((e) => e.reason)).toEqual(expect.arrayContaining(['Deleting', 'Deleted']));

    expect(await liveStacks(name)).toEqual([]);
    const roles = (await bed.aws.iam.send(new ListRolesCommand({}))).Roles ?? [];
    expect(roles.filter((r) => r.RoleName?.startsWith(prefix))).toEqual([]);
    const profiles = (await bed.aws.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? [];
    expect(profiles.filter((p) => p.InstanceProfileName?.startsWith(prefix))).toEqual([]);
    const templates = (await bed.aws.ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
    expect(templates.filter((t) => t.LaunchTemplateName?.startsWith(prefix))).toEqual([]);
    const groups = (await bed.aws.asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    expect(groups.filter((g) => g.AutoScalingGroupName === name)).toEqual([]);
    expect(awsAuth().mapRoles.map((e) => e.rolearn)).not.toContain(roleArn);
  });
});
