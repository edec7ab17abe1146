// RedriveExecution. aws-local-stepfunctions cannot resume a run half-way, so a redrive runs a copy of the
// definition whose StartAt is a hidden Pass state that hands the recorded input of the state the execution
// stopped in to that state. The run itself still gets the execution's original input, so $$.Execution.Input is
// right. Only top-level states are resume points: a failure inside a Parallel branch or Map iteration re-runs
// the whole Parallel/Map state (AWS re-runs only the failed branches and iterations).
import type { AslDefinition } from './definition.js';
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
