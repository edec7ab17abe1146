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
