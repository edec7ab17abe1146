// The soak's operations: a seeded, reproducible sequence of create, update (scale), no-op re-apply, delete and
// re-create under the same name, over groups of all three provisioners. Pure: the same seed gives the same plan.
import { PROVISIONERS, type Provisioner } from '../manifests.js';

export type OpKind = 'create' | 'scale' | 'noop' | 'delete' | 'recreate';

export interface Op {
  index: number;
  kind: OpKind;
  group: string;
  provisioner: Provisioner;
  /** The maxSize a create, re-create or scale applies. */
  maxSize: number;
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const groupName = (i: number) => `soak-${String(i).padStart(3, '0')}`;
export const provisionerOf = (i: number): Provisioner => PROVISIONERS[i % PROVISIONERS.length]!;

export function plan(options: { seed: number; ops: number; groups: number }): Op[] {
  const random = rng(options.seed);
  const state = new Map<number, 'absent' | 'present' | 'deleted'>();
  const ops: Op[] = [];
  for (let index = 0; index < options.ops; index++) {
    const g = Math.floor(random() * options.groups);
    const now = state.get(g) ?? 'absent';
    const maxSize = 2 + Math.floor(random() * 5);
    let kind: OpKind;
    if (now === 'absent') kind = 'create';
    else if (now === 'deleted') kind = 'recreate';
    else {
      const r = random();
      kind = r < 0.5 ? 'scale' : r < 0.65 ? 'noop' : 'delete';
    }
    state.set(g, kind === 'delete' ? 'deleted' : 'present');
    ops.push({ index, kind, group: groupName(g), provisioner: provisionerOf(g), maxSize });
  }
  return ops;
}

/** What the plan leaves: the groups that must exist at the end, with their last maxSize, and the ones deleted. */
export function expectedEnd(ops: Op[]): { present: Map<string, Op>; deleted: Set<string> } {
  const present = new Map<string, Op>();
  const deleted = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'delete') {
      present.delete(op.group);
      deleted.add(op.group);
    } else {
      deleted.delete(op.group);
      present.set(op.group, op.kind === 'noop' ? { ...op, maxSize: present.get(op.group)?.maxSize ?? op.maxSize } : op);
    }
  }
  return { present, deleted };
}
