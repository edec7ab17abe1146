// A stubbed EKS (or IAM) client: answers per command name, records every call. For the paths moto cannot run.
export interface Call {
  command: string;
  input: Record<string, unknown>;
}

export type Answer = (input: Record<string, unknown>) => unknown;

export function awsError(name: string, message: string, status = 400): Error {
  const error = new Error(message) as Error & { $metadata: { httpStatusCode: number } };
  error.name = name;
  error.$metadata = { httpStatusCode: status };
  return error;
}

export function stubClient<T>(answers: Record<string, Answer>): { client: T; calls: Call[] } {
  const calls: Call[] = [];
  const client = {
    config: {},
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      calls.push({ command: name, input: command.input });
      const answer = answers[name];
      if (!answer) throw new Error(`stub: no answer for ${name}`);
      return answer(command.input);
    },
  };
  return { client: client as unknown as T, calls };
}
