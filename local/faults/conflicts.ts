// A concurrent writer, to make the API server answer 409 (or fail a JSON-patch resourceVersion test) to writers that
// read an object and write it back: it merge-patches an annotation on objects the workflows are writing at that moment
// (an InstanceGroup's status writes, the aws-auth ConfigMap). Each of its writes bumps the object's resourceVersion, so a
// workflow that read the object before it loses its race, for real, and must re-read. Metadata-only: the generation
// and the spec never change. Targets are drawn from a seeded stream.
import type { KubeRest } from '../../core/kube/rest.js';

export const JOSTLE_ANNOTATION = 'soak.instancemgr.keikoproj.io/jostle';

export interface ConflictWriterOptions {
  rest: KubeRest;
  /** API paths of the objects to write to now (called before each write). */
  targets: () => string[];
  intervalMs: number;
  /** Uniform draws in [0, 1). */
  random: () => number;
}

export interface ConflictWriter {
  /** Writes that landed, by target kind (the path's resource). */
  writes: Record<string, number>;
  lastAt(): number;
  stop(): Promise<void>;
}

export function startConflictWriter(options: ConflictWriterOptions): ConflictWriter {
  const writes: Record<string, number> = {};
  let last = 0;
  let n = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, options.intervalMs));
      const targets = options.targets();
      if (!targets.length || stopped) continue;
      const target = targets[Math.floor(options.random() * targets.length)]!;
      try {
        await options.rest.request('PATCH', target, {
          body: { metadata: { annotations: { [JOSTLE_ANNOTATION]: String(n++) } } },
          contentType: 'application/merge-patch+json',
        });
        const kind = /\/(instancegroups|configmaps)\//.exec(target)?.[1] ?? 'other';
        writes[kind] = (writes[kind] ?? 0) + 1;
        last = performance.now();
      } catch {
        // Gone (404), or the API server is restarting: nothing to race with right now.
      }
    }
  })();
  return {
    writes,
    lastAt: () => last,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
