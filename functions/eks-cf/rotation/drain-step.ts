// "Cordon And Drain": one pass per invocation; the state machine waits and calls again until the batch is drained,
// stopped or abandoned. A batch that stops or is abandoned first gives back its surge (release.ts), over as many
// passes as that takes, then reports stopped or abandoned.
import { namedCluster } from '../../../core/events/index.js';
import type { Logger } from '../../../core/log/index.js';
import { access, clients, isSuperseded, recordProgress, type BatchInput } from './context.js';
import { cordon, drainPass, nodesOf, type Blocked } from './drain.js';
import { batchProgress, reportRotation } from './progress.js';
import { describeRelease, releasePass, type Release } from './release.js';

/** Pauses between eviction passes while a budget holds: 2, 4, 8, then 15 seconds each. */
const WAITS = [2, 4, 8, 15];

/** How the batch is ending, while it gives back its surge. */
interface Ending {
  why: 'stopped' | 'abandoned';
  message: string;
  /** What a person does next, said last. */
  advice?: string;
  release: Release;
  blocked?: Blocked;
}

interface DrainState {
  polls?: number;
  startedAt?: string;
  /** What the last progress report said the batch waits on (reported again only when it changes). */
  waitingFor?: string;
  ending?: Ending;
}

export type DrainInput = BatchInput & { start: { instanceIds: string[]; surged: number; before?: string[] }; drain?: DrainState };

const blockedBy = (b: Blocked) => `PodDisruptionBudget ${b.budget ?? '(unnamed)'} to allow evicting pod ${b.pod}`;

export async function cordonAndDrain(input: DrainInput, { log }: { log: Logger }) {
  const now = new Date();
  const polls = (input.drain?.polls ?? 0) + 1;
  const startedAt = input.drain?.startedAt ?? now.toISOString();
  const kube = await access().connect(namedCluster(input.change.cluster, input.clusterName));
  const nodes = await nodesOf(kube, input.start.instanceIds);
  const base = { polls, startedAt, nodes: nodes.map((n) => n.metadata.name) };
  const pending = { ...base, drained: false, stopped: false, abandoned: false, nextWaitSeconds: WAITS[Math.min(polls, WAITS.length) - 1] };

  const report = async (waitingFor: string) => {
    if (waitingFor !== input.drain?.waitingFor) await reportRotation(input, batchProgress(input.batch, 0, waitingFor), log);
    return waitingFor;
  };

  /** Gives back the surge (one pass) and ends the batch once that is done. */
  const end = async (ending: Ending) => {
    const release = await releasePass(kube, clients(), batchFacts(input), ending.release, now);
    log.info('batch ending: releasing its surge', { why: ending.why, release });
    if (!release.done) {
      const waitingFor = await report(`surge node of batch ${input.batch.index} to drain before it is given back${release.blocked ? ` (${blockedBy(release.blocked)})` : ''}`);
      return { ...pending, waitingFor, ending: { ...ending, release }, message: `batch ${input.batch.index} ending: giving back its surge` };
    }
    const message = `${ending.message}; ${describeRelease(release)}${ending.advice ? `. ${ending.advice}` : ''}`;
    if (ending.why === 'abandoned') return { ...base, drained: false, stopped: false, abandoned: true, message };
    await recordProgress(input, message, 'Warning');
    await reportRotation(input, batchProgress(input.batch, 0, ending.blocked ? blockedBy(ending.blocked) : 'a person: the rotation stopped'), log);
    return { ...base, drained: false, stopped: true, abandoned: false, message, ...(ending.blocked ? { blocked: ending.blocked } : {}) };
  };
  // Without `before` (a batch started by an older version of Start Batch) the surge cannot be told apart: none is
  // given back rather than risk draining a node that is not the batch's.
  const owed = input.start.before ? input.start.surged : 0;
  const release = (): Release => ({ owed, given: [], since: now.toISOString(), done: owed === 0 });

  if (input.drain?.ending) return end(input.drain.ending);

  if (await isSuperseded(input)) {
    log.info('batch abandoned for a newer generation');
    return end({ why: 'abandoned', message: `batch ${input.batch.index} of ${input.batch.total} abandoned for a newer generation`, release: release() });
  }

  await cordon(kube, nodes, input.change.group.generation);
  const elapsed = (now.getTime() - Date.parse(startedAt)) / 1000;
  const timedOut = elapsed >= input.settings.drainTimeoutSeconds;
  const force = timedOut && input.settings.drainTimeoutAction === 'force';
  const look = await drainPass(kube, nodes, force);
  log.info('drain pass', { polls, remaining: look.remaining, evicted: look.evicted, blocked: look.blocked, force });
  if (look.remaining === 0) return { ...base, drained: true, stopped: false, abandoned: false, message: `batch ${input.batch.index} drained` };

  const first = look.blocked[0];
  if (timedOut && !force) {
    const why = first ? `eviction of pod ${first.pod} is refused by PodDisruptionBudget ${first.budget ?? '(unnamed)'}` : `${look.remaining} pods did not leave`;
    const message = `rotation stopped at batch ${input.batch.index} of ${input.batch.total}: ${why} after ${input.settings.drainTimeoutSeconds} s (drainTimeout)`;
    const advice = 'Relax the budget or set drainTimeoutAction: force, then replay';
    return end({ why: 'stopped', message, advice, release: release(), ...(first ? { blocked: first } : {}) });
  }
  const waitingFor = await report(first ? blockedBy(first) : `${look.remaining} pods to leave nodes ${base.nodes.join(', ')}`);
  return {
    ...pending,
    waitingFor,
    message: `${look.remaining} pods still on batch ${input.batch.index}'s nodes${look.blocked.length ? `; ${look.blocked.length} held by a PodDisruptionBudget` : ''}`,
  };
}

function batchFacts(input: DrainInput) {
  return {
    scalingGroupName: input.scalingGroupName,
    instanceIds: input.start.instanceIds,
    before: input.start.before ?? [],
    settings: input.settings,
    generation: input.change.group.generation,
  };
}
