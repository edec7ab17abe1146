// The end-to-end tests' side of the local control plane (local/control-plane.ts): one control plane per test file,
// driven as a user drives it (kubectl apply and delete, imctl), and read as a user reads it (kubectl get, status,
// Events), plus moto's state and the local Step Functions runtime's execution records, found by their
// deterministic names. Nothing on the path is bypassed: the relay sends each change to moto's EventBridge, a rule
// delivers it to the queue, the dispatcher starts the execution, and the real ASL runs the real handlers.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { stringify } from 'yaml';
import { realDeps } from '../../cli/clients.js';
import { run as imctlMain } from '../../cli/main.js';
import { awsClientConfig } from '../../core/aws/config.js';
import type { InstanceGroupChange, Operation } from '../../core/events/index.js';
import type { InstallationPolicy } from '../../core/policy/index.js';
import { connectionFromKubeconfig } from '../../core/kube/connection.js';
import { InstanceGroupApi } from '../../core/kube/instancegroups.js';
import { KubeRest } from '../../core/kube/rest.js';
import { createLogger } from '../../core/log/index.js';
import { executionName } from '../../core/names/index.js';
import type { InstanceGroup } from '../../core/spec/types.js';
import type { WorkflowState } from '../../functions/shared/workflow-state.js';
import { startControlPlane, type ControlPlane, type StepHandler, type StepOverride } from '../../local/control-plane.js';
import { kubectl } from '../../local/kubectl.js';
import type { SeededAccount } from '../../local/seed.js';
import type { LambdaContext } from '../../local/stepfunctions/index.js';

export interface GroupRef {
  namespace: string;
  name: string;
}

/** An execution as the Step Functions console shows it. */
export interface Execution {
  name: string;
  arn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  error?: string;
  cause?: string;
  /** The states entered, in order. */
  path: string[];
  input: InstanceGroupChange;
}

/** Stands in for one Lambda step of one group's executions; `real` is the step's own handler. */
export type Intercept = (event: WorkflowState, context: LambdaContext, real: StepHandler) => unknown;

export interface E2EOptions {
  /** The Lambda steps these tests may intercept: state machine base name (`eks-cf-apply`) → Task state names. */
  interceptable?: Record<string, string[]>;
  /** Boot the groups' instances as Nodes (local/instances/). Default true; false leaves Node registration to the test. */
  nodes?: boolean;
  /** The installation policy to install (startControlPlane's `policy`); default: the local, widened one. */
  policy?: Partial<InstallationPolicy>;
}

export interface AwsClients {
  ec2: EC2Client;
  cf: CloudFormationClient;
  asg: AutoScalingClient;
  iam: IAMClient;
  eks: EKSClient;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SETTLE_TIMEOUT_MS = 60_000;

export class E2E {
  private started?: { plane: ControlPlane; api: InstanceGroupApi; aws: AwsClients };
  private readonly intercepts = new Map<string, { ref: GroupRef; fn: Intercept }[]>();
  private readonly namespaces = new Set<string>();
  /** The control plane's recent warnings and errors: shown when a wait times out, silent otherwise. */
  private readonly logs: string[] = [];

  constructor(private readonly options: E2EOptions = {}) {}

  async start(): Promise<void> {
    process.env.LOG_LEVEL ??= 'error';
    const handlerOverrides: Record<string, Record<string, StepOverride>> = {};
    for (const [machine, states] of Object.entries(this.options.interceptable ?? {})) {
      handlerOverrides[machine] = Object.fromEntries(states.map((state) => [state, this.interceptor(machine, state)]));
    }
    const plane = await startControlPlane({
      resyncPeriodMs: 3_600_000, // only resyncNow() re-sends: no surprise retries in the middle of a test
      handlerOverrides,
      nodes: this.options.nodes ?? true,
      ...(this.options.policy ? { policy: this.options.policy } : {}),
      logger: createLogger({}, { level: 'warn', sink: (line) => this.logs.push(line) > 200 && this.logs.shift() }),
    });
    const config = awsClientConfig();
    this.started = {
      plane,
      api: new InstanceGroupApi(new KubeRest(connectionFromKubeconfig(plane.kubeconfigPath))),
      aws: {
        ec2: new EC2Client(config),
        cf: new CloudFormationClient(config),
        asg: new AutoScalingClient(config),
        iam: new IAMClient(config),
        eks: new EKSClient(config),
      },
    };
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    const { plane, api, aws } = this.started;
    this.started = undefined;
    for (const client of Object.values(aws)) client.destroy();
    api.kube.close();
    await plane.stop();
  }

  private get s() {
    if (!this.started) throw new Error('the control plane is not running (did beforeAll fail?)');
    return this.started;
  }

  get plane(): ControlPlane {
    return this.s.plane;
  }

  get account(): SeededAccount {
    return this.s.plane.account!;
  }

  get aws(): AwsClients {
    return this.s.aws;
  }

  // ---------------------------------------------------------------------------------------------------------
  // What a user does and sees

  kubectl(args: string[], input?: string): string {
    return kubectl(this.plane.kubeconfigPath, args, input);
  }

  /** `kubectl get instancegroup -o json`; undefined when it does not exist. */
  group(ref: GroupRef): InstanceGroup | undefined {
    const out = this.kubectl(['get', 'instancegroup', ref.name, '-n', ref.namespace, '-o', 'json', '--ignore-not-found']);
    return out.trim() ? (JSON.parse(out) as InstanceGroup) : undefined;
  }

  namespace(name: string): string {
    if (!this.namespaces.has(name)) {
      this.kubectl(['apply', '-f', '-'], stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
      this.namespaces.add(name);
    }
    return name;
  }

  /** `kubectl apply -n <namespace> -f -` (client-side, as most users do); returns the stored object. */
  apply(namespace: string, manifest: InstanceGroup | string): InstanceGroup {
    this.namespace(namespace);
    const text = typeof manifest === 'string' ? manifest : stringify(manifest);
    const out = this.kubectl(['apply', '-n', namespace, '-f', '-', '-o', 'json'], text);
    return JSON.parse(out) as InstanceGroup;
  }

  /**
   * Waits until the status reports the object's generation (or the one given) finished: Ready or Error, from an
   * apply execution of that generation (and attempt, when given).
   */
  async settled(ref: GroupRef, expect: { generation?: number; attempt?: number; timeoutMs?: number } = {}): Promise<InstanceGroup> {
    const deadline = Date.now() + (expect.timeoutMs ?? SETTLE_TIMEOUT_MS);
    let seen: InstanceGroup | undefined;
    for (;;) {
      seen = await this.s.api.get(ref);
      const generation = expect.generation ?? seen?.metadata.generation;
      const last = seen?.status?.lastExecution;
      const done =
        last !== undefined &&
        last.generation === generation &&
        (last.operation ?? 'apply') === 'apply' &&
        (expect.attempt === undefined || (last.attempt ?? 1) === expect.attempt) &&
        (last.result === 'Succeeded' || last.result === 'Failed') &&
        ['Ready', 'Error'].includes(seen?.status?.currentState ?? '');
      if (done) return this.group(ref)!;
      if (Date.now() > deadline) throw this.timeout(`${ref.namespace}/${ref.name} to settle at generation ${generation}`, seen);
      await sleep(100);
    }
  }

  /** Applies and waits for the status; fails unless it is Ready. */
  async ready(namespace: string, manifest: InstanceGroup | string): Promise<InstanceGroup> {
    return this.applyAndSettle(namespace, manifest, 'Ready');
  }

  /** Applies and waits for the status; fails unless it is Error. Returns the object and its failed execution. */
  async failing(namespace: string, manifest: InstanceGroup | string): Promise<{ group: InstanceGroup; execution: Execution }> {
    const group = await this.applyAndSettle(namespace, manifest, 'Error');
    const execution = await this.execution(group);
    if (execution.status !== 'FAILED') throw new Error(`${execution.name} ended ${execution.status}, yet the status says Error`);
    return { group, execution };
  }

  private async applyAndSettle(namespace: string, manifest: InstanceGroup | string, state: 'Ready' | 'Error'): Promise<InstanceGroup> {
    const applied = this.apply(namespace, manifest);
    const group = await this.settled(applied.metadata, { generation: applied.metadata.generation });
    if (group.status?.currentState !== state) throw this.timeout(`${namespace}/${applied.metadata.name} to be ${state}`, group);
    return group;
  }

  /** The user applies `newer` while the given generation's execution is in `state` (before that step runs). */
  applyDuring(machine: string, state: string, ref: GroupRef, generation: number, newer: InstanceGroup | string): void {
    this.intercept(machine, state, ref, async (event, context, real) => {
      if (event.change.group.generation === generation) this.apply(ref.namespace, newer);
      return real(event, context);
    });
  }

  /**
   * The user applies `older` (the next generation) and, just as its execution starts, `newer` (the one after):
   * returns the older generation's execution and the group once the newer one has settled.
   */
  async supersede(machine: string, ref: GroupRef, older: InstanceGroup, newer: InstanceGroup): Promise<{ older: Execution; group: InstanceGroup }> {
    const generation = (this.group(ref)?.metadata.generation ?? 0) + 1;
    this.applyDuring(machine, 'Read Instance Group', ref, generation, newer);
    const applied = this.apply(ref.namespace, older);
    if (applied.metadata.generation !== generation) throw new Error(`expected generation ${generation}, got ${applied.metadata.generation}`);
    const group = await this.settled(ref, { generation: generation + 1 });
    return { older: await this.execution(applied), group };
  }

  /** Waits until the object no longer exists (the delete workflow removed its finalizer). */
  async gone(ref: GroupRef, timeoutMs = SETTLE_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = await this.s.api.get(ref);
      if (!seen) return;
      if (Date.now() > deadline) throw this.timeout(`${ref.namespace}/${ref.name} to be gone`, seen);
      await sleep(100);
    }
  }

  /** `kubectl delete --wait=false`, waits until the object is gone, and returns the delete execution. */
  async remove(ref: GroupRef): Promise<Execution> {
    const before = await this.s.api.get(ref);
    if (!before) throw new Error(`${ref.namespace}/${ref.name} does not exist`);
    this.kubectl(['delete', 'instancegroup', ref.name, '-n', ref.namespace, '--wait=false']);
    // Setting deletionTimestamp on an object with finalizers bumps its generation: the delete runs for that one.
    const deleting = await this.s.api.get(ref);
    const generation = deleting?.metadata.uid === before.metadata.uid ? deleting.metadata.generation : before.metadata.generation + 1;
    await this.gone(ref);
    return this.execution(before, { operation: 'delete', generation });
  }

  /** Kubernetes Events in a namespace (what `kubectl describe` lists). */
  events(namespace: string, reason?: string): { type: string; reason: string; message: string; object: string }[] {
    const args = ['get', 'events', '-n', namespace, '-o', 'json', ...(reason ? ['--field-selector', `reason=${reason}`] : [])];
    const list = JSON.parse(this.kubectl(args)) as {
      items: { type: string; reason: string; message: string; involvedObject: { name: string } }[];
    };
    return list.items.map((e) => ({ type: e.type, reason: e.reason, message: e.message, object: e.involvedObject.name }));
  }

  /** imctl in this process with its real clients, against this control plane. */
  async imctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await imctlMain([...args, '--kubeconfig', this.plane.kubeconfigPath], (cmd) => ({
      ...realDeps(cmd.options),
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    }));
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Executions, by their deterministic names

  /** The execution of a generation (default: the object's) and attempt (default 1), once it has ended. */
  async execution(group: InstanceGroup, which: { operation?: Operation; generation?: number; attempt?: number } = {}): Promise<Execution> {
    const operation = which.operation ?? 'apply';
    const { namespace, name, uid } = group.metadata;
    const generation = which.generation ?? group.metadata.generation;
    const machine = this.plane.stateMachineArns[`${group.spec.provisioner}/${operation}`];
    if (!machine) throw new Error(`no state machine for ${group.spec.provisioner}/${operation}`);
    const executionNameOf = executionName({ namespace, name, uid, generation, operation, attempt: which.attempt ?? 1 });
    const arn = `${machine.replace(':stateMachine:', ':execution:')}:${executionNameOf}`;
    await this.plane.stepFunctions.waitForExecution(arn, { timeoutMs: SETTLE_TIMEOUT_MS }).catch((error: Error) => {
      throw this.timeout(`execution ${executionNameOf}: ${error.message}`, group);
    });
    const record = this.plane.stepFunctions.getExecutionRecord(arn)!;
    return {
      name: record.name,
      arn,
      status: record.status,
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      path: record.events.flatMap((e) => (e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [])),
      input: record.inputValue as InstanceGroupChange,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Intercepting a Lambda step for one group (cleared after each test)

  intercept(machine: string, state: string, ref: GroupRef, fn: Intercept): void {
    if (!this.options.interceptable?.[machine]?.includes(state)) {
      throw new Error(`"${state}" of ${machine} is not interceptable: list it in the interceptable option of useControlPlane`);
    }
    const key = `${machine}/${state}`;
    this.intercepts.set(key, [...(this.intercepts.get(key) ?? []), { ref, fn }]);
  }

  clearIntercepts(): void {
    this.intercepts.clear();
  }

  private interceptor(machine: string, state: string): StepOverride {
    return (event, context, real) => {
      const workflow = event as WorkflowState;
      const { namespace, name } = workflow.change.group;
      const hit = this.intercepts.get(`${machine}/${state}`)?.find((i) => i.ref.namespace === namespace && i.ref.name === name);
      return hit ? hit.fn(workflow, context, real) : real(event, context);
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // moto

  async roleExists(roleName: string): Promise<boolean> {
    try {
      await this.aws.iam.send(new GetRoleCommand({ RoleName: roleName }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'NoSuchEntity' || (error as Error).name === 'NoSuchEntityException') return false;
      throw error;
    }
  }

  private timeout(what: string, seen: InstanceGroup | undefined): Error {
    const status = seen ? JSON.stringify(seen.status ?? {}, null, 2) : '(object not found)';
    const logs = this.logs.slice(-15).join('\n') || '(none)';
    return new Error(`timed out waiting for ${what}\nstatus: ${status}\ncontrol plane warnings:\n${logs}`);
  }
}

/** One control plane for the test file: started before its tests, stopped after them; intercepts last one test. */
export function useControlPlane(options: E2EOptions = {}): E2E {
  const e2e = new E2E(options);
  beforeAll(() => e2e.start(), 180_000);
  afterEach(() => e2e.clearIntercepts());
  afterAll(() => e2e.stop(), 60_000);
  return e2e;
}

/** The condition of the given type (Ready by default) of a group's status. */
export const conditionOf = (group: InstanceGroup | undefined, type = 'Ready') => group?.status?.conditions?.find((c) => c.type === type);

/** An InstanceGroup manifest with the given name and spec. */
export const instanceGroup = (name: string, spec: { provisioner: string; [section: string]: unknown }): InstanceGroup => ({
  apiVersion: 'instancemgr.keikoproj.io/v1alpha1',
  kind: 'InstanceGroup',
  metadata: { name } as InstanceGroup['metadata'],
  spec: spec as unknown as InstanceGroup['spec'],
});
