import { AlreadyExistsException, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ResourceBusyError } from '../../../core/errors/index.js';
import { applyStack } from '../../../functions/eks-cf/stack.js';

function stubClient(answers: Record<string, () => unknown>): CloudFormationClient {
  return {
    send: async (command: { constructor: { name: string } }) => {
      const answer = answers[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      return answer();
    },
  } as unknown as CloudFormationClient;
}

const notFound = () => {
  throw Object.assign(new Error('Stack with id s does not exist'), { name: 'ValidationError' });
};

describe('applyStack', () => {
  const rendered = { stackName: 's', template: { Resources: {} }, tags: { a: 'b' } } as never;

  it('RetriedCreateFindsItsOwnStack: AlreadyExists on create is retried as busy, never reported as a failure', async () => {
    const cf = stubClient({
      DescribeStacksCommand: notFound,
      CreateStackCommand: () => {
        throw new AlreadyExistsException({ message: 'Stack [s] already exists', $metadata: {} });
      },
    });
    await expect(applyStack(cf, rendered)).rejects.toBeInstanceOf(ResourceBusyError);
  });

  it('TerminalErrorCaught: an invalid template is not retried', async () => {
    const cf = stubClient({
      DescribeStacksCommand: notFound,
      CreateStackCommand: () => {
        throw Object.assign(new Error('Template format error'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
      },
    });
    await expect(applyStack(cf, rendered)).rejects.toMatchObject({ name: 'AwsRejectedError', kind: 'terminal' });
  });
});

describe('applyStack on stacks that block an update', () => {
  const rendered = { stackName: 's', template: { Resources: {} }, tags: { a: 'b' } } as never;
  const stackIn = (status: string) => () => ({ Stacks: [{ StackName: 's', StackStatus: status, Tags: [] }] });

  it('ROLLBACK_COMPLETE: deletes the failed stack and retries, so the next attempt creates it again', async () => {
    const sent: string[] = [];
    const cf = stubClient({
      DescribeStacksCommand: stackIn('ROLLBACK_COMPLETE'),
      DeleteStackCommand: () => (sent.push('DeleteStack'), {}),
    });
    await expect(applyStack(cf, rendered)).rejects.toBeInstanceOf(ResourceBusyError);
    expect(sent).toEqual(['DeleteStack']);
  });

  it('UPDATE_ROLLBACK_FAILED: continues the rollback and retries', async () => {
    const sent: string[] = [];
    const cf = stubClient({
      DescribeStacksCommand: stackIn('UPDATE_ROLLBACK_FAILED'),
      ContinueUpdateRollbackCommand: () => (sent.push('ContinueUpdateRollback'), {}),
    });
    await expect(applyStack(cf, rendered)).rejects.toBeInstanceOf(ResourceBusyError);
    expect(sent).toEqual(['ContinueUpdateRollback']);
  });

  it.each(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'DELETE_IN_PROGRESS'])(
    '%s: waits (retryable busy error) and sends nothing',
    async (status) => {
      const cf = stubClient({ DescribeStacksCommand: stackIn(status) });
      await expect(applyStack(cf, rendered)).rejects.toBeInstanceOf(ResourceBusyError);
    },
  );

  it('DELETE_FAILED: stops with a terminal error that says what to do', async () => {
    const cf = stubClient({
      DescribeStacksCommand: stackIn('DELETE_FAILED'),
      DescribeStackEventsCommand: () => ({ StackEvents: [] }),
    });
    await expect(applyStack(cf, rendered)).rejects.toMatchObject({ kind: 'terminal', message: expect.stringContaining('delete it in CloudFormation') });
  });
});
