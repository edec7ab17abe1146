// Which Node events mean "a Node of one of our groups just became Ready". Pure, so the decisions are unit-tested
// without a cluster. The only memory is the names of our Nodes that are not Ready yet: a Node that is Ready (the
// usual state) costs nothing, so 10,000 groups' nodes fit in the relay's 64 MB.
//
//   ADDED and Ready                  → publish (a Node that registered Ready)
//   MODIFIED, not Ready → Ready      → publish
//   not Ready                        → remembered
//   DELETED                          → forgotten
//   first list                       → remembered only: a relay that starts sends nothing for Nodes already Ready
//                                      (a wait in flight ends by its fallback check)
//   later (re)list, not Ready → Ready → publish (the transition happened while the watch was down)
import { NODE_LABELS } from '../core/names/index.js';

export interface NodeView {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { conditions?: { type?: string; status?: string }[] };
}

export interface ReadyNode {
  node: string;
  group: { namespace: string; name: string };
}

/** The label selector of the Nodes the relay watches: those that carry our group label. */
export const NODE_SELECTOR = NODE_LABELS.instanceGroup;

export const nodeIsReady = (node: NodeView): boolean =>
  node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The node's group from its labels, or undefined when it lacks one of them. */
export function groupOfNode(node: NodeView): ReadyNode['group'] | undefined {
  const labels = node.metadata?.labels ?? {};
  const namespace = labels[NODE_LABELS.namespace];
  const name = labels[NODE_LABELS.instanceGroup];
  return namespace && name ? { namespace, name } : undefined;
}

export class NodeReadiness {
  private readonly notReady = new Set<string>();
  private listedOnce = false;
  /** During a (re)list: the remembered names it has not shown yet (no more than are remembered). */
  private unseen: Set<string> | undefined;

  /** How many Nodes are remembered (the metric of this module's memory). */
  get remembered(): number {
    return this.notReady.size;
  }

  /** One watch event; returns the Node that became Ready, if it did. */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: NodeView): ReadyNode | undefined {
    const name = node.metadata?.name;
    if (!name) return undefined;
    if (type === 'DELETED') {
      this.notReady.delete(name);
      return undefined;
    }
    if (!nodeIsReady(node)) {
      this.notReady.add(name);
      return undefined;
    }
    const wasNotReady = this.notReady.delete(name);
    return type === 'ADDED' || wasNotReady ? this.ready(name, node) : undefined;
  }

  /** A (re)list starts; its Nodes follow (listed), then listEnded. */
  listStarted(): void {
    this.unseen = new Set(this.notReady);
  }

  /** One Node of a (re)list; returns it if it became Ready while nobody watched. */
  listed(node: NodeView): ReadyNode | undefined {
    const name = node.metadata?.name;
    if (!name) return undefined;
    this.unseen?.delete(name);
    if (!nodeIsReady(node)) {
      this.notReady.add(name);
      return undefined;
    }
    return this.notReady.delete(name) && this.listedOnce ? this.ready(name, node) : undefined;
  }

  /** The list is complete: remembered Nodes it did not show are gone. */
  listEnded(): void {
    for (const name of this.unseen ?? []) this.notReady.delete(name);
    this.unseen = undefined;
    this.listedOnce = true;
  }

  private ready(name: string, node: NodeView): ReadyNode | undefined {
    const group = groupOfNode(node);
    return group ? { node: name, group } : undefined;
  }
}
