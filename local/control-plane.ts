// The whole instance-manager control plane on one machine: a real kube-apiserver (or an existing cluster), moto
// as AWS, the relay with its real code, EventBridge rules delivering to a queue, a dispatcher that starts
// executions under their deterministic names, and the local Step Functions runtime running the real ASL with the
// real Lambda handlers. With the embedded API server it also runs kube-controller-manager, kube-scheduler, kwok (the
// kubelet of every Node) and the stand-in for EC2 instances booting (local/instances/), so the groups' instances join as
// Nodes. `npm start` and the end-to-end tests both start it through startControlPlane().
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateArchiveCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../core/aws/config.js';
import { NODE_READY_DETAIL_TYPE, nodeReadyPattern, type Operation } from '../core/events/index.js';
import { workflowKey } from '../core/workflows/names.js';
import { createLogger, type Logger } from '../core/log/index.js';
import { relayConfig } from '../in-cluster-relay/config.js';
import { startRelay, type Relay } from '../in-cluster-relay/relay.js';
import { setUpLocalBus, startDispatcher, type Dispatcher, type LocalBus } from './dispatcher/index.js';
import { nodeEventTarget } from './dispatcher/node-events.js';
import { startInstanceBoots, type InstanceBoots } from './instances/index.js';
import { seedAccount, type SeededAccount } from './seed.js';
import { LocalStepFunctions, type LambdaContext } from './stepfunctions/index.js';
import { startTestBed, type TestBed } from './testbed/index.js';
import { loadAsl, REPO_ROOT, STATE_MACHINES_DIR, stateMachineFiles, taskBindings } from '../core/workflows/bindings.js';
import { bindHandlers } from './workflows/bind.js';
import { kubectl, waitForCrd } from './kubectl.js';
import { installPolicy, LOCAL_POLICY } from './policy.js';
import type { InstallationPolicy } from '../core/policy/index.js';
import { KubeconfigAccess } from '../core/kube/access.js';
import { reportExecutionFailure } from '../functions/report-execution-failure/report.js';
import { forwardExecutionFailures, type ExecutionEvents } from './execution-events.js';
import { startLocalStackEvents } from './cfn-events/target.js';

export const LOCAL_CLUSTER_NAME = 'my-eks-cluster';
export const BUS_NAME = 'instance-manager';
export const QUEUE_NAME = 'instance-manager-dispatch';
export const ARCHIVE_NAME = 'instance-manager';
export const STATE_MACHINE_PREFIX = 'instance-manager-';

export interface ControlPlaneOptions {
  /** Use an existing cluster (its kubeconfig) instead of the embedded API server. */
  kubeconfig?: string;
  /** Seed the emulated account (network, key pair, image, reference clusters). Default true. */
  seed?: boolean;
  /** Relay resync period. Default 30 s. */
  resyncPeriodMs?: number;
  /** Progress lines for a person. Default: none. */
  progress?: (line: string) => void;
  /** Structured logs of the components. Default: warnings and errors only, on stderr. */
  logger?: Logger;
  /**
   * Per-state overrides of Lambda steps, for tests that need one step to answer differently (a transient error to
   * prove a Retry, a look that says the resource is still being created so a wait loop runs): state machine base
   * name (`eks-cf-apply`) → Task state name → override. The override gets the real handler, so it can wrap it.
   * Only Lambda steps can be overridden; AWS (moto) and the API server always answer for themselves.
   */
  handlerOverrides?: Record<string, Record<string, StepOverride>>;
  /**
   * Boot the groups' instances into the embedded API server as Nodes (local/instances/, with kwok keeping them
   * Ready). Default true; ignored with `kubeconfig` (no node identities can be issued for a foreign cluster).
   */
  nodes?: boolean | { pollIntervalMs?: number };
  /**
   * The installation policy (InstanceManagerPolicy "default") to install; fields left out take the shipped
   * defaults. Default: LOCAL_POLICY (local/policy.ts), widened for the reference samples. `{}` is the shipped policy.
   */
  policy?: Partial<InstallationPolicy>;
  /**
   * Puts something between the components (Lambda steps, relay, dispatcher) and an emulator: gets the emulator's URL
   * and returns the URL they use instead. The fault-injection soak routes them through local/faults/aws-proxy.ts.
   */
  routeAws?: (upstream: string, emulator: 'moto' | 'stepfunctions') => Promise<string>;
}

/** A Lambda step as the local runtime calls it. */
export type StepHandler = (event: unknown, context: LambdaContext) => unknown;
/** Replaces a Lambda step; `real` is the step's own handler. */
export type StepOverride = (event: unknown, context: LambdaContext, real: StepHandler) => unknown;

export interface ControlPlane {
  kubeconfigPath: string;
  /** kubeconfig of the workflows' identity (the RBAC shipped in infra/k8s/workflows-rbac.yaml). */
  workflowsKubeconfigPath: string;
  motoUrl: string;
  stepFunctionsUrl: string;
  account?: SeededAccount;
  bus: LocalBus;
  stepFunctions: LocalStepFunctions;
  relay: Relay;
  dispatcher: Dispatcher;
  /** The emulated rule that reports failed, timed-out and aborted executions onto their group. */
  executionEvents: ExecutionEvents;
  testBed: TestBed;
  /** The instances booting into the cluster (undefined when nodes are off). */
  instanceBoots?: InstanceBoots;
  stateMachineArns: Record<string, string>;
  stop(): Promise<void>;
}

const DUMMY_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

/**
 * An existing cluster's kubeconfig, cut down to its current context: the workflows resolve a cluster to a context
 * by name or EKS ARN, and use a kubeconfig's only context for any cluster (core/kube/access.ts).
 */
function currentContextOnly(kubeconfig: string, cleanups: (() => Promise<void>)[]): string {
  const view = spawnSync('kubectl', ['config', 'view', '--minify', '--flatten'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
  if (view.status !== 0) throw new Error(`kubectl config view --minify of ${kubeconfig} failed: ${view.stderr}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'im-workflows-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'workflows.kubeconfig');
  writeFileSync(file, view.stdout, { mode: 0o600 });
  return file;
}

/** Refuses overrides that name no state machine or no Lambda step of it, before anything starts. */
function checkOverrides(overrides: Record<string, Record<string, StepOverride>>): void {
  const workflows = localWorkflows();
  for (const [base, states] of Object.entries(overrides)) {
    const workflow = workflows.find((w) => w.base === base);
    if (!workflow) throw new Error(`handlerOverrides: no state machine ${base} (there are: ${workflows.map((w) => w.base).join(', ')})`);
    const steps = taskBindings(loadAsl(workflow.file)).map((b) => b.state);
    const unknown = Object.keys(states).filter((state) => !steps.includes(state));
    if (unknown.length) {
      throw new Error(`handlerOverrides: ${base} has no Lambda step ${unknown.map((u) => `"${u}"`).join(', ')} (its steps: ${steps.join(', ')})`);
    }
  }
}

/** The handlers bound to a workflow's Lambda steps, with that workflow's overrides wrapped around them. */
function withOverrides(handlers: Record<string, StepHandler>, overrides: Record<string, StepOverride> = {}): Record<string, StepHandler> {
  const out = { ...handlers };
  for (const [state, override] of Object.entries(overrides)) {
    const real = handlers[state]!;
    out[state] = (event, context) => override(event, context, real);
  }
  return out;
}

/** statemachines/<provisioner>-<operation>.asl.json → the workflows this installation runs (`file` relative to statemachines/). */
export function localWorkflows(): { provisioner: string; operation: Operation; file: string; base: string; name: string }[] {
  return stateMachineFiles().map(({ file, base, provisioner, operation }) => ({
    provisioner,
    operation,
    file: path.basename(file),
    base,
    name: `${STATE_MACHINE_PREFIX}${base}`,
  }));
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  checkOverrides(options.handlerOverrides ?? {});
  const say = options.progress ?? (() => {});
  const logger = options.logger ?? createLogger({}, { level: 'warn', sink: (line) => process.stderr.write(`${line}\n`) });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };

  try {
    const withNodes = !options.kubeconfig && options.nodes !== false;
    say(
      options.kubeconfig
        ? `starting moto; using the cluster in ${options.kubeconfig}`
        : `starting the test bed: kube-apiserver, etcd, moto${withNodes ? ', kube-controller-manager, kube-scheduler and kwok' : ''}`,
    );
    const testBed = await startTestBed({ kube: !options.kubeconfig, moto: true, kwok: withNodes, controllerManager: withNodes, scheduler: withNodes });
    cleanups.push(() => testBed.stop());
    const kubeconfigPath = options.kubeconfig ?? testBed.kube!.kubeconfigPath;
    const workflowsKubeconfigPath = options.kubeconfig ? currentContextOnly(options.kubeconfig, cleanups) : testBed.kube!.kubeconfigFor('workflows');
    const relayKubeconfigPath = options.kubeconfig ?? testBed.kube!.kubeconfigFor('relay');
    const nodeAccessKubeconfigPath = options.kubeconfig ?? testBed.kube!.kubeconfigFor('node-access');
    const motoUrl = testBed.moto!.url;

    const stepFunctions = new LocalStepFunctions({ logger: logger.child({ component: 'local-stepfunctions' }) });
    const stepFunctionsUrl = await stepFunctions.listen();
    cleanups.push(() => stepFunctions.close());
    const awsUrl = options.routeAws ? await options.routeAws(motoUrl, 'moto') : motoUrl;
    const sfnUrl = options.routeAws ? await options.routeAws(stepFunctionsUrl, 'stepfunctions') : stepFunctionsUrl;

    // Every SDK client in this process (the Lambda handlers included) now talks to the emulators.
    Object.assign(process.env, {
      ...DUMMY_CREDENTIALS,
      AWS_REGION: process.env.AWS_REGION ?? 'us-west-2',
      AWS_ENDPOINT_URL: awsUrl,
      AWS_ENDPOINT_URL_SFN: sfnUrl,
      CLUSTER_ACCESS: 'kubeconfig',
      KUBECONFIG: workflowsKubeconfigPath,
      // Without booting instances no Node ever registers, so the eks-cf "Wait For Nodes To Join" loop is switched
      // off then (NodesReady Unknown); with them it runs as in AWS.
      NODE_JOIN_WAIT: process.env.NODE_JOIN_WAIT ?? (withNodes ? 'on' : 'off'),
      NODE_ACCESS_KUBECONFIG: nodeAccessKubeconfigPath,
      // Local steps take milliseconds: a delete that finds nothing waits out a 1 s fence ("Wait For Earlier
      // Applies"), not the 2 minutes a Lambda timeout calls for (functions/shared/delete-fence.ts).
      DELETE_FENCE_SECONDS: process.env.DELETE_FENCE_SECONDS ?? '1',
    });

    say('installing the InstanceGroup CRD and the RBAC of the relay and the workflows');
    kubectl(kubeconfigPath, ['apply', '-f', path.join(REPO_ROOT, 'infra/k8s/crd.yaml')]);
    await waitForCrd(kubeconfigPath);
    kubectl(kubeconfigPath, [
      'apply',
      '-f', path.join(REPO_ROOT, 'infra/k8s/relay/namespace.yaml'),
      '-f', path.join(REPO_ROOT, 'infra/k8s/relay/serviceaccount.yaml'),
      '-f', path.join(REPO_ROOT, 'infra/k8s/relay/rbac.yaml'),
      '-f', path.join(REPO_ROOT, 'infra/k8s/workflows-rbac.yaml'),
    ]);
    say('installing the installation policy and the admission policy that enforces it');
    await installPolicy(kubeconfigPath, options.policy ?? LOCAL_POLICY);

    let account: SeededAccount | undefined;
    if (options.seed ?? true) {
      say('seeding the emulated AWS account: VPC, subnets, security group, key pair, EKS clusters');
      account = await seedAccount();
    }

    let instanceBoots: InstanceBoots | undefined;
    if (withNodes) {
      say(`booting the groups' instances into ${LOCAL_CLUSTER_NAME} as they start (consoles in ${path.join(testBed.runDir, 'instances')})`);
      instanceBoots = startInstanceBoots({
        aws: { endpoint: motoUrl, region: awsClientConfig().region },
        clusters: { [LOCAL_CLUSTER_NAME]: { adminKubeconfig: kubeconfigPath, clientCa: testBed.kube!.clientCa } },
        consoleDir: path.join(testBed.runDir, 'instances'),
        ...(typeof options.nodes === 'object' && options.nodes.pollIntervalMs ? { pollIntervalMs: options.nodes.pollIntervalMs } : {}),
        logger: logger.child({ component: 'instance-boots' }),
      });
      const boots = instanceBoots;
      cleanups.push(() => boots.stop());
    }

    say('creating the state machines from statemachines/ with their Lambda steps bound to functions/');
    const stateMachineArns: Record<string, string> = {};
    for (const workflow of localWorkflows()) {
      const { stateMachineArn } = await stepFunctions.createStateMachine({
        name: workflow.name,
        definition: readFileSync(path.join(STATE_MACHINES_DIR, workflow.file), 'utf8'),
        handlers: withOverrides(await bindHandlers(workflow.file), options.handlerOverrides?.[workflow.base]),
      });
      stateMachineArns[workflowKey(workflow.provisioner, workflow.operation)] = stateMachineArn;
    }

    say('creating the EventBridge bus, one rule per workflow, and the dispatch queue');
    const config = awsClientConfig();
    const eventBridge = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    cleanups.push(async () => {
      eventBridge.destroy();
      sqs.destroy();
    });
    const bus = await setUpLocalBus({
      eventBridge,
      sqs,
      busName: BUS_NAME,
      queueName: QUEUE_NAME,
      workflows: localWorkflows().map(({ provisioner, operation }) => ({ provisioner, operation })),
      // serverless.yml's EksCfNodeEventsRule: the relay's node-ready events, to the eks-cf-node-event code.
      eventTargets: [{ name: 'eks-cf-node-events', pattern: nodeReadyPattern(), description: 'in AWS this rule targets the eks-cf-node-event Lambda' }],
    });

    // Like the deployed installation: an archive of every event on the bus, so `imctl replay --since` works.
    await eventBridge
      .send(new CreateArchiveCommand({ ArchiveName: ARCHIVE_NAME, EventSourceArn: bus.busArn, RetentionDays: 14 }))
      .catch((error: Error) => {
        if (error.name !== 'ResourceAlreadyExistsException') throw error;
      });

    const nodeEventSfn = new SFNClient({ ...config, endpoint: sfnUrl });
    cleanups.push(async () => nodeEventSfn.destroy());
    const dispatcher = startDispatcher({
      sqs,
      queueUrl: bus.queueUrl,
      startWorkflow: { sfn: new SFNClient({ ...config, endpoint: sfnUrl }), stateMachines: stateMachineArns },
      targets: { [NODE_READY_DETAIL_TYPE]: nodeEventTarget({ sfn: nodeEventSfn, workflowsKubeconfigPath, logger }) },
      logger: logger.child({ component: 'local-dispatcher' }),
    });
    cleanups.push(() => dispatcher.stop());

    // The rule on Step Functions execution status changes, emulated: failed, timed-out and aborted executions are
    // reported onto their InstanceGroup by the report-execution-failure code (local/execution-events.ts).
    const reporterSfn = new SFNClient({ ...config, endpoint: sfnUrl });
    const reporterAccess = new KubeconfigAccess(workflowsKubeconfigPath);
    const executionEvents = forwardExecutionFailures({
      stepFunctions,
      deliver: (event) => reportExecutionFailure(event, { sfn: reporterSfn, clusterAccess: reporterAccess, log: logger.child({ component: 'report-execution-failure' }) }),
      logger: logger.child({ component: 'local-execution-events' }),
    });
    cleanups.push(async () => {
      await executionEvents.stop();
      reporterSfn.destroy();
    });

    // CloudFormation's stack status events, emulated from moto's stacks and delivered to the eks-cf-stack-event
    // code, so eks-cf stack waits resume by event as in AWS (local/cfn-events/).
    const stackEvents = startLocalStackEvents({ stepFunctionsUrl, workflowsKubeconfigPath, logger });
    cleanups.push(() => stackEvents.stop());

    say('starting the relay');
    const relay = await startRelay(
      relayConfig({
        eventBusName: BUS_NAME,
        clusterName: LOCAL_CLUSTER_NAME,
        identity: 'local-relay',
        kubeconfig: relayKubeconfigPath,
        awsEndpointUrl: awsUrl,
        region: config.region,
        healthPort: 0,
        resyncPeriodMs: options.resyncPeriodMs ?? 30_000,
      }),
      { logger: logger.child({ component: 'relay' }) },
    );
    cleanups.push(() => relay.stop());

    return {
      kubeconfigPath,
      workflowsKubeconfigPath,
      motoUrl,
      stepFunctionsUrl,
      ...(account ? { account } : {}),
      bus,
      stepFunctions,
      relay,
      dispatcher,
      executionEvents,
      testBed,
      ...(instanceBoots ? { instanceBoots } : {}),
      stateMachineArns,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
