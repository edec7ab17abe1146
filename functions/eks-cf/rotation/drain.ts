// Cordon and drain through the Eviction API (policy/v1), as `kubectl drain` does: DaemonSet pods and mirror pods
// stay (their controllers would put them straight back), pods already terminating are waited for, and every pod
// keeps its own grace period (eviction deletes it gracefully). A 429 means a PodDisruptionBudget does not allow the
// eviction now: the caller waits and tries again. Nothing here deletes a pod, except `force` at the drain timeout.
import { KubeApiError, type KubeRest } from '../../../core/kube/rest.js';
import { instanceIdOf, listNodes, type KubeNode } from '../../shared/nodes.js';

export const CORDON_ANNOTATION = 'instancemgr.keikoproj.io/cordoned-for-rotation';

interface Pod {
  metadata: {
    name: string;
    namespace: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; controller?: boolean }[];
    deletionTimestamp?: string;
  };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

export interface Blocked {
  pod: string;
  /** The PodDisruptionBudget the API server named, when it did. */
  budget?: string;
  message: string;
}

export interface DrainLook {
  /** Pods still to leave the batch's nodes (evictable ones plus ones terminating). */
  remaining: number;
  evicted: string[];
  blocked: Blocked[];
}

/** The Nodes of the given instances (matched by providerID). */
export async function nodesOf(kube: KubeRest, instanceIds: string[]): Promise<KubeNode[]> {
  const ids = new Set(instanceIds);
  return (await listNodes(kube)).filter((n) => ids.has(instanceIdOf(n.spec?.providerID) ?? ''));
}

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;

/**
 * Marks the nodes unschedulable, noting that rotation did it (so an abort uncordons only what rotation cordoned) and
 * for which generation (so a newer generation's rotation waits until an older one has released its batch).
 */
export async function cordon(kube: KubeRest, nodes: KubeNode[], generation?: number): Promise<void> {
  for (const node of nodes) {
    await kube.request('PATCH', nodePath(node.metadata.name), {
      body: { metadata: { annotations: { [CORDON_ANNOTATION]: generation === undefined ? 'true' : String(generation) } }, spec: { unschedulable: true } },
      contentType: 'application/merge-patch+json',
    });
  }
}

/** Undoes cordon on nodes rotation cordoned; a node someone else cordoned stays as it is. */
export async function uncordon(kube: KubeRest, nodes: KubeNode[]): Promise<string[]> {
  const done: string[] = [];
  for (const node of nodes) {
    const annotations = (node.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    if (annotations[CORDON_ANNOTATION] === undefined) continue;
    await kube.request('PATCH', nodePath(node.metadata.name), {
      body: { metadata: { annotations: { [CORDON_ANNOTATION]: null } }, spec: { unschedulable: null } },
      contentType: 'application/merge-patch+json',
    });
    done.push(node.metadata.name);
  }
  return done;
}

/** Nodes an older generation's rotation cordoned and has not released yet. */
export function cordonedByOlder(nodes: KubeNode[], generation: number): KubeNode[] {
  return nodes.filter((node) => {
    const owner = Number((node.metadata as { annotations?: Record<string, string> }).annotations?.[CORDON_ANNOTATION]);
    return (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable && Number.isInteger(owner) && owner < generation;
  });
}

/** DaemonSet and mirror pods stay on a drained node; finished pods need no eviction. */
export function mustLeave(pod: Pod): boolean {
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror']) return false;
  if (pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller)) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

async function podsOn(kube: KubeRest, nodeName: string): Promise<Pod[]> {
  const list = await kube.get<{ items: Pod[] }>('/api/v1/pods', { fieldSelector: `spec.nodeName=${nodeName}` });
  return list.items.filter(mustLeave);
}

/** Pods that would still have to leave the nodes (none evicted here). */
export async function remainingPods(kube: KubeRest, nodes: KubeNode[]): Promise<number> {
  let count = 0;
  for (const node of nodes) count += (await podsOn(kube, node.metadata.name)).length;
  return count;
}

/** The budget's name from a 429's causes ("The disruption budget web needs 3 healthy pods ..."). */
export function budgetOf(error: KubeApiError): string | undefined {
  const body = error.body as { details?: { causes?: { reason?: string; message?: string }[] } } | undefined;
  const cause = body?.details?.causes?.find((c) => c.reason === 'DisruptionBudget');
  return /disruption budget (\S+)/.exec(cause?.message ?? '')?.[1];
}

/** One pass over the batch's nodes: evict what may go, note what a budget holds. With force, delete instead. */
export async function drainPass(kube: KubeRest, nodes: KubeNode[], force = false): Promise<DrainLook> {
  const look: DrainLook = { remaining: 0, evicted: [], blocked: [] };
  for (const node of nodes) {
    for (const pod of await podsOn(kube, node.metadata.name)) {
      look.remaining++;
      if (pod.metadata.deletionTimestamp) continue;
      const { namespace, name } = pod.metadata;
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
      try {
        if (force) await kube.request('DELETE', path);
        else
          await kube.request('POST', `${path}/eviction`, {
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
          });
        look.evicted.push(`${namespace}/${name}`);
      } catch (error) {
        if (error instanceof KubeApiError && error.code === 404) {
          look.remaining--;
          continue;
        }
        if (error instanceof KubeApiError && error.code === 429) {
          const budget = budgetOf(error);
          look.blocked.push({ pod: `${namespace}/${name}`, ...(budget ? { budget: `${namespace}/${budget}` } : {}), message: error.message });
          continue;
        }
        throw error;
      }
    }
  }
  return look;
}
