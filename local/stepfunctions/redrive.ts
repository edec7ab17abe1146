// RedriveExecution. aws-local-stepfunctions cannot resume a run half-way, so a redrive runs a copy of the
// definition whose StartAt is a hidden Pass state that hands the recorded input of the state the execution
// stopped in to that state. The run itself still gets the execution's original input, so $$.Execution.Input is
// right. Only top-level states are resume points: a failure inside a Parallel branch or Map iteration re-runs
// the whole Parallel/Map state (AWS re-runs only the failed branches and iterations).
import type { RedriveExecutionOutput } from '@aws-sdk/client-sfn';
import type { AslDefinition } from './definition.js';
import { sfnError } from './errors.js';
import { REDRIVABLE, type ExecutionApiContext } from './execution-api.js';
import type { StateRef } from './history.js';

export const REDRIVE_ENTRY = '__LocalRedriveEntry__';

export interface RedrivePlan {
  definition: AslDefinition;
  hidden: Set<string>;
  /** The state the redrive resumes at. */
  resumeAt: string;
}

export function redrivePlan(def: AslDefinition, stoppedIn: StateRef | undefined): RedrivePlan {
  if (!stoppedIn || !(stoppedIn.name in def.States)) {
    return { definition: def, hidden: new Set(), resumeAt: def.StartAt };
  }
  const entry = {
    Type: 'Pass',
    Comment: `local runtime: redrive resumes at ${stoppedIn.name} with the input it had`,
    // Wrapped, so that a falsy input (null, 0, "") is still a Result.
    Result: { input: stoppedIn.input ?? null },
    OutputPath: '$.input',
    Next: stoppedIn.name,
  };
  return {
    definition: { ...def, StartAt: REDRIVE_ENTRY, States: { [REDRIVE_ENTRY]: entry, ...def.States } },
    hidden: new Set([REDRIVE_ENTRY]),
    resumeAt: stoppedIn.name,
  };
}

/**
 * Re-runs a FAILED, ABORTED or TIMED_OUT execution from the top-level state it stopped in, with the input
 * that state had; the history continues (ExecutionRedriven, then the new state events) and redriveCount grows.
 */
export function redriveExecution(ctx: ExecutionApiContext, input: { executionArn?: string; clientToken?: string }): RedriveExecutionOutput {
  const e = ctx.executions.get(input.executionArn);
  if (!REDRIVABLE.includes(e.status)) throw sfnError('ExecutionNotRedrivable', `Execution is ${e.status} and cannot be redriven: '${e.executionArn}'`);
  const m = ctx.machines.get(e.stateMachineArn);
  const plan = redrivePlan(m.definition, e.stoppedIn);
  e.redriveCount += 1;
  e.redriveDate = new Date();
  e.status = 'RUNNING';
  delete e.error;
  delete e.cause;
  delete e.output;
  delete e.stopDate;
  ctx.log.info('execution redriven', { executionArn: e.executionArn, redriveCount: e.redriveCount, resumeAt: plan.resumeAt });
  ctx.executions.run(e, m, { definition: plan.definition, hidden: plan.hidden, redrive: true, tokens: ctx.tokens });
  return { redriveDate: e.redriveDate };
}
