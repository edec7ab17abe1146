// The shared wait-loop step of the EKS provisioners: it checks the resource the decision names, counts the polls of
// one resource and starts counting again for another.
import type { GroupRef } from '../../../core/names/index.js';
import { progressCheckStep, type CheckProgress, type ProgressCheckInput } from '../../../functions/shared/progress-check.js';
import type { Target } from '../../../functions/shared/resource-manager.js';

const ref: GroupRef = { namespace: 'default', name: 'workers', clusterName: 'dev' };

function recordingCheck(): { calls: { target: Target; polls: number; maxPolls: number }[]; check: CheckProgress<'profileName'> } {
  const calls: { target: Target; polls: number; maxPolls: number }[] = [];
  const check: CheckProgress<'profileName'> = async (_eks, _ref, target, polls, maxPolls) => {
    calls.push({ target, polls, maxPolls });
    return { profileName: target.name, waitFor: target.waitFor, status: 'CREATING', settled: false, polls, waitSeconds: 5 };
  };
  return { calls, check };
}

const input = (plan: ProgressCheckInput<'profileName'>['plan'], progress?: ProgressCheckInput<'profileName'>['progress']): ProgressCheckInput<'profileName'> =>
  ({ change: {}, execution: { arn: 'arn', name: 'x' }, group: { ref }, plan, progress, maxPolls: 480 }) as unknown as ProgressCheckInput<'profileName'>;

describe('progressCheckStep', () => {
  beforeAll(() => {
    process.env.AWS_REGION ??= 'us-west-2';
  });

  it('checks the resource the decision names and counts on from the last poll of that resource', async () => {
    const { calls, check } = recordingCheck();
    const result = await progressCheckStep('profileName', check)(input({ profileName: 'p1', waitFor: 'gone' }, { profileName: 'p1', polls: 3 }));
    expect(calls).toEqual([{ target: { name: 'p1', waitFor: 'gone' }, polls: 4, maxPolls: 480 }]);
    expect(result).toMatchObject({ profileName: 'p1', polls: 4 });
  });

  it('starts counting again for another resource, and waits for it to become active unless told otherwise', async () => {
    const { calls, check } = recordingCheck();
    await progressCheckStep('profileName', check)(input({ profileName: 'p2' }, { profileName: 'p1', polls: 7 }));
    expect(calls).toEqual([{ target: { name: 'p2', waitFor: 'active' }, polls: 1, maxPolls: 480 }]);
  });
});
