import { TaskTokens } from '../../../local/stepfunctions/task-tokens.js';

describe('TaskTokens.closeExecution', () => {
  it('closes the tokens of an ended execution without an unhandled rejection, and a caller still awaiting gets the failure', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const tokens = new TaskTokens();
      const abandoned = tokens.open('arn:exec:1', 'Wait For Nodes To Join', { timeoutMs: 60_000 });
      const awaited = tokens.open('arn:exec:1', 'Wait For CloudFormation', { timeoutMs: 60_000 });
      const outcome = awaited.result.then(
        () => 'resolved',
        (error: Error) => error.name,
      );
      tokens.closeExecution('arn:exec:1');
      expect(await outcome).toBe('States.Runtime');
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
      expect(tokens.list('arn:exec:1')).toEqual([]);
      expect(() => tokens.succeed(abandoned.token, '{}')).toThrow(/TaskDoesNotExist|already completed/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
