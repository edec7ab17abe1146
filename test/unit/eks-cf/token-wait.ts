// A workflow parked on a task token, as the eks-cf workflows wait for a stack to settle or for nodes to join: a
// local Step Functions runtime with one `.waitForTaskToken` state whose Lambda only records the token. For the tests
// of the handlers that hand the token back (stack-events, node-events); the token is a real one of the runtime.
import { SFNClient } from '@aws-sdk/client-sfn';
import type { LocalStepFunctions } from '../../../local/stepfunctions/index.js';
import { ACCOUNT, REGION, newRuntime, recorder } from '../stepfunctions/helpers.js';

export interface TokenWait {
  sfn: LocalStepFunctions;
  /** A client of the runtime, for the code under test to hand the token back with. */
  client: SFNClient;
  /** Starts an execution named `name`; resolves once it waits, with its token. */
  park(name: string): Promise<{ executionArn: string; taskToken: string }>;
  close(): Promise<void>;
}

export async function startTokenWait(
  machine: string,
  task: {
    /** The state's name, as in the workflow it stands for. */
    state: string;
    /** The definition's placeholder for the awaiting Lambda. */
    functionArn: string;
    /** Where the token's outcome lands in the execution's output. */
    resultPath: string;
    /** A SendTaskFailure ends the execution in a Pass state (the failure in its output) instead of failing it. */
    catchFailure?: boolean;
  },
): Promise<TokenWait> {
  const waiter = recorder(() => ({}));
  const sfn = newRuntime({ functions: { [task.functionArn]: waiter.handler } });
  const client = new SFNClient({ endpoint: await sfn.listen(), region: REGION, credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
  await sfn.createStateMachine({
    name: machine,
    definition: {
      StartAt: task.state,
      States: {
        [task.state]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: `\${${task.functionArn}}`, Payload: { 'taskToken.$': '$$.Task.Token' } },
          ResultPath: task.resultPath,
          ...(task.catchFailure ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: task.resultPath, Next: 'Failed' }] } : {}),
          End: true,
        },
        ...(task.catchFailure ? { Failed: { Type: 'Pass', End: true } } : {}),
      },
    },
  });
  return {
    sfn,
    client,
    park: async (name) => {
      const before = waiter.calls.length;
      const { executionArn } = await sfn.startExecution({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}`, name });
      while (waiter.calls.length === before) await new Promise((r) => setTimeout(r, 5));
      return { executionArn, taskToken: waiter.calls.at(-1)!.event.taskToken };
    },
    close: async () => {
      client.destroy();
      await sfn.close();
    },
  };
}
