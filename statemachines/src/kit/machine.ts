// Renders a machine description into the ASL that statemachines/<name>.asl.json holds. Every Task gets its function
// from the state → function table, its own state name as `stateName` (so the step logs under it), its Retry from the
// error classes, and its Catch from what the description says about it.
import type { AslMachine, AslState, Parameters } from './asl.js';
import { continueOnAnyError, retryFor, stopWhenNoLongerWanted } from './errors.js';
import type { CallbackState, Flow, OtherState, State, TaskState } from './states.js';

export interface MachineDescription extends Flow {
  /** The file name without .asl.json, e.g. eks-cf-apply. */
  name: string;
  comment: string;
  timeoutSeconds: number;
}

export function machine(name: string, options: { comment: string; timeoutSeconds: number; states: State[] }): MachineDescription {
  return { name, ...options };
}

const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** Every Task's function placeholder, e.g. {"Create Or Update Stack": "${EksCfApplyStackFunctionArn}"}. */
export type FunctionTable = Readonly<Record<string, string>>;

function functionOf(table: FunctionTable, machineName: string, state: string): string {
  const fn = table[state];
  if (!fn) throw new Error(`${machineName}: Task "${state}" has no function in statemachines/src/functions.ts`);
  if (!/^\$\{[A-Za-z0-9]+FunctionArn\}$/.test(fn)) throw new Error(`${machineName}: "${state}" → "${fn}" is not a \${<Name>FunctionArn} placeholder`);
  return fn;
}

const withStateName = (name: string, parameters: Parameters): Parameters => ({ stateName: name, ...parameters });

function renderTask(s: TaskState, resource: string): AslState {
  const catchers = [...(s.noLongerWanted ? [stopWhenNoLongerWanted(s.noLongerWanted)] : []), ...(s.bestEffort ? [continueOnAnyError(s.next, '$.reportError')] : [])];
  return {
    Type: 'Task',
    Comment: s.comment,
    Resource: resource,
    TimeoutSeconds: s.timeoutSeconds,
    Parameters: withStateName(s.name, s.parameters),
    ResultPath: s.resultPath,
    Retry: retryFor({ busy: s.busy }),
    Next: s.next,
    ...(catchers.length ? { Catch: catchers } : {}),
  };
}

function renderCallback(s: CallbackState, functionName: string): AslState {
  return {
    Type: 'Task',
    Comment: s.comment,
    Resource: WAIT_FOR_TASK_TOKEN,
    Parameters: { FunctionName: functionName, Payload: { ...withStateName(s.name, s.payload), 'taskToken.$': '$$.Task.Token' } },
    TimeoutSeconds: s.timeoutSeconds,
    ResultPath: s.resultPath,
    Retry: retryFor({ lambdaOnly: true }),
    Next: s.next,
    Catch: [continueOnAnyError(s.next, s.resultPath)],
  };
}

function renderFlow(flow: Flow, machineName: string, table: FunctionTable, used: Set<string>): { StartAt: string; States: Record<string, AslState> } {
  const states: Record<string, AslState> = {};
  for (const s of flow.states) {
    if (states[s.name]) throw new Error(`${machineName}: two states are named "${s.name}"`);
    if (s.type === 'Task' || s.type === 'Callback') used.add(s.name);
    if (s.type === 'Task') states[s.name] = renderTask(s, functionOf(table, machineName, s.name));
    else if (s.type === 'Callback') states[s.name] = renderCallback(s, functionOf(table, machineName, s.name));
    else {
      const fields = { ...(s as OtherState).fields };
      if ('iterator' in s) fields.Iterator = renderFlow((s as OtherState & { iterator: Flow }).iterator, machineName, table, used);
      states[s.name] = { Type: s.type, ...fields };
    }
  }
  const startAt = flow.startAt ?? flow.states[0]?.name;
  if (!startAt) throw new Error(`${machineName}: a flow has no states`);
  return { StartAt: startAt, States: states };
}

export function renderMachine(description: MachineDescription, table: FunctionTable): AslMachine {
  const used = new Set<string>();
  const flow = renderFlow(description, description.name, table, used);
  const unused = Object.keys(table).filter((state) => !used.has(state));
  if (unused.length) throw new Error(`${description.name}: statemachines/src/functions.ts names states it has no Task for: ${unused.join(', ')}`);
  return { Comment: description.comment, StartAt: flow.StartAt, TimeoutSeconds: description.timeoutSeconds, States: flow.States };
}

/** The file's text: two-space JSON and a final newline, as the checked-in files are. */
export function aslText(asl: AslMachine): string {
  return `${JSON.stringify(asl, null, 2)}\n`;
}
