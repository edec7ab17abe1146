// Runs an ASL file locally with aws-local-stepfunctions, its Task states bound to the in-process handlers.
// A small, self-contained runner for the eks-cf tests; the shared local Step Functions runtime (local/stepfunctions)
// is the long-lived version of this with an API, redrive and persistence.
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { bindHandlers, loadAsl, localFunctionArn, withFunctionArns, type AslDefinition, type Handler } from './bind.js';

export interface HistoryEvent {
  type: string;
  state?: string;
  timestamp: number;
  error?: string;
  cause?: unknown;
}

export interface ExecutionRecord {
  arn: string;
  name: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** States entered: what Step Functions bills as state transitions. */
  transitions: number;
  /** Task states run, retries included: Lambda invocations. */
  lambdaInvocations: number;
  /** Path of state names entered, in order. */
  path: string[];
  durationMs: number;
}

export interface RunOptions {
  name: string;
  region?: string;
  account?: string;
  stateMachineName?: string;
  /** Every Wait state lasts this long (ms); default 100. */
  waitMs?: number;
  /** Every retry waits this long (ms); default 20. */
  retryMs?: number;
  /** Replace some handlers (fault injection in tests). */
  handlers?: Record<string, Handler>;
}

export async function runWorkflow(aslOrFile: AslDefinition | string, input: unknown, options: RunOptions): Promise<ExecutionRecord> {
  const asl = typeof aslOrFile === 'string' ? loadAsl(aslOrFile) : aslOrFile;
  const bound = { ...(await bindHandlers(asl)), ...(options.handlers ?? {}) };
  const region = options.region ?? process.env.AWS_REGION ?? 'us-west-2';
  const account = options.account ?? '123456789012';
  const smName = options.stateMachineName ?? 'local';
  const arn = `arn:aws:states:${region}:${account}:execution:${smName}:${options.name}`;
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, def] of Object.entries(asl.States)) {
    if (def.Type === 'Wait') waits[name] = options.waitMs ?? 100;
    if (def.Retry) retries[name] = options.retryMs ?? 20;
  }
  const machine = new StateMachine(withFunctionArns(asl, localFunctionArn(region, account)) as unknown as StateMachineDefinition);
  const started = performance.now();
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(
        Object.entries(bound).map(([state, handler]) => [state, (payload: unknown) => handler(payload, {}) as never]),
      ),
      waitTimeOverrides: waits,
      retryIntervalOverrides: retries,
    },
    context: {
      Execution: { Id: arn, Name: options.name, Input: input as never, StartTime: new Date().toISOString(), RoleArn: `arn:aws:iam::${account}:role/local` },
      StateMachine: { Id: arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), Name: smName },
    } as never,
  });
  const history: HistoryEvent[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const ev = e as unknown as { type: string; timestamp: number; state?: { name: string }; Error?: string; Cause?: unknown };
      history.push({ type: ev.type, timestamp: ev.timestamp, ...(ev.state ? { state: ev.state.name } : {}), ...(ev.Error ? { error: ev.Error, cause: ev.Cause } : {}) });
    }
  })();
  let record: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;
  try {
    const output = await execution.result;
    record = { status: 'SUCCEEDED', output };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as { name?: string; message?: string } | undefined;
    record = { status: 'FAILED', error: cause?.name ?? error.name, cause: cause?.message ?? error.message };
  }
  await collecting;
  const entered = history.filter((h) => h.type === 'StateEntered');
  const taskStates = new Set(Object.entries(asl.States).filter(([, d]) => d.Type === 'Task').map(([n]) => n));
  const lambdaInvocations =
    entered.filter((h) => taskStates.has(h.state ?? '')).length + history.filter((h) => h.type === 'StateRetried').length;
  return {
    arn,
    name: options.name,
    ...record,
    history,
    transitions: entered.length,
    lambdaInvocations,
    path: entered.map((h) => h.state ?? ''),
    durationMs: Math.round(performance.now() - started),
  };
}
