import { namedCluster } from '../../../core/events/index.js';
import { access, clients, type BatchInput } from '../rotation/context.js';
import { scalingGroupInstances, takeCensus } from '../../shared/nodes.js';
import type { StepContext } from '../../kit/step.js';

const WAITS = [5, 10, 20, 30];
const BOUND_SECONDS = 900;

/** Whether every instance the group should have is a Ready node: the batch's replacements (surged or not) joined. */
export const checkReplacementNodesStep = async (input: BatchInput & { replacements?: { polls?: number; startedAt?: string } }, { log }: StepContext) => {
    const now = new Date();
    const polls = (input.replacements?.polls ?? 0) + 1;
    const startedAt = input.replacements?.startedAt ?? now.toISOString();
    const scaling = await scalingGroupInstances(clients().autoscaling, input.scalingGroupName);
    const census = await takeCensus(await access().connect(namedCluster(input.change.cluster, input.clusterName)), input.change.group, scaling);
    const ready = census.instances >= census.desired && census.ready >= census.desired;
    const timedOut = !ready && (now.getTime() - Date.parse(startedAt)) / 1000 >= BOUND_SECONDS;
    log.info('replacements counted', { desired: census.desired, ready: census.ready, polls });
    return {
      ready,
      timedOut,
      polls,
      startedAt,
      nextWaitSeconds: WAITS[Math.min(polls, WAITS.length) - 1],
      message: `${census.ready} of ${census.desired} nodes Ready while rotating batch ${input.batch.index} of ${input.batch.total}`,
    };
  };
