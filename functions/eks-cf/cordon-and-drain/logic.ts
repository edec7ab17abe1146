import { namedCluster } from '../../../core/events/index.js';
import { access, isSuperseded, recordProgress, type BatchInput } from '../rotation/context.js';
import { cordon, drainPass, nodesOf, uncordon } from '../rotation/drain.js';
import type { StepContext } from '../../kit/step.js';

/** Pauses between eviction passes while a budget holds: 2, 4, 8, then 15 seconds each. */
const WAITS = [2, 4, 8, 15];

interface DrainState {
  polls?: number;
  startedAt?: string;
}

/**
 * One pass of "Cordon And Drain": cordons the batch's nodes, evicts what may go, and decides. Drained: every pod
 * that must leave has left. Blocked past drainTimeout: stop (uncordon, Error naming pod and budget) or force
 * (delete the rest gracefully). A newer generation: abandon the batch cleanly (uncordon).
 */
export const cordonAndDrainStep = async (input: BatchInput & { start: { instanceIds: string[] }; drain?: DrainState }, { log }: StepContext) => {
  const now = new Date();
  const polls = (input.drain?.polls ?? 0) + 1;
  const startedAt = input.drain?.startedAt ?? now.toISOString();
  const kube = await access().connect(namedCluster(input.change.cluster, input.clusterName));
  const nodes = await nodesOf(kube, input.start.instanceIds);
  const base = { polls, startedAt, nodes: nodes.map((n) => n.metadata.name) };

  if (await isSuperseded(input)) {
    const released = await uncordon(kube, await nodesOf(kube, input.start.instanceIds));
    log.info('batch abandoned for a newer generation', { released });
    return { ...base, drained: false, stopped: false, abandoned: true, message: `batch ${input.batch.index} abandoned for a newer generation; uncordoned ${released.join(', ') || 'nothing'}` };
  }

  await cordon(kube, nodes);
  const elapsed = (now.getTime() - Date.parse(startedAt)) / 1000;
  const timedOut = elapsed >= input.settings.drainTimeoutSeconds;
  const force = timedOut && input.settings.drainTimeoutAction === 'force';
  const look = await drainPass(kube, nodes, force);
  log.info('drain pass', { polls, remaining: look.remaining, evicted: look.evicted, blocked: look.blocked, force });
  if (look.remaining === 0) return { ...base, drained: true, stopped: false, abandoned: false, message: `batch ${input.batch.index} drained` };

  if (timedOut && !force) {
    const released = await uncordon(kube, await nodesOf(kube, input.start.instanceIds));
    const first = look.blocked[0];
    const why = first
      ? `eviction of pod ${first.pod} is refused by PodDisruptionBudget ${first.budget ?? '(unnamed)'}`
      : `${look.remaining} pods did not leave`;
    const message =
      `rotation stopped at batch ${input.batch.index} of ${input.batch.total}: ${why} after ${input.settings.drainTimeoutSeconds} s ` +
      `(drainTimeout); nodes ${released.join(', ') || 'none'} uncordoned. Relax the budget or set drainTimeoutAction: force, then replay`;
    await recordProgress(input, message, 'Warning');
    return { ...base, drained: false, stopped: true, abandoned: false, message, ...(first ? { blocked: first } : {}) };
  }
  return {
    ...base,
    drained: false,
    stopped: false,
    abandoned: false,
    nextWaitSeconds: WAITS[Math.min(polls, WAITS.length) - 1],
    message: `${look.remaining} pods still on batch ${input.batch.index}'s nodes${look.blocked.length ? `; ${look.blocked.length} held by a PodDisruptionBudget` : ''}`,
  };
};
