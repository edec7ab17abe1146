import { expectedEnd, plan } from '../../../bench/lib/soak/plan.js';

describe('soak plan', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(plan({ seed: 7, ops: 200, groups: 30 })).toEqual(plan({ seed: 7, ops: 200, groups: 30 }));
    expect(plan({ seed: 8, ops: 200, groups: 30 })).not.toEqual(plan({ seed: 7, ops: 200, groups: 30 }));
  });

  it('covers every operation and all three provisioners, and only deletes or re-creates what the plan has', () => {
    const ops = plan({ seed: 14, ops: 300, groups: 30 });
    expect(new Set(ops.map((o) => o.kind))).toEqual(new Set(['create', 'scale', 'noop', 'delete', 'recreate']));
    expect(new Set(ops.map((o) => o.provisioner))).toEqual(new Set(['eks-cf', 'eks-managed', 'eks-fargate']));
    const seen = new Map<string, string>();
    for (const op of ops) {
      const before = seen.get(op.group);
      if (op.kind === 'create') expect(before).toBeUndefined();
      if (op.kind === 'recreate') expect(before).toBe('delete');
      if (['scale', 'noop', 'delete'].includes(op.kind)) expect(before === undefined || before === 'delete').toBe(false);
      seen.set(op.group, op.kind);
    }
    const end = expectedEnd(ops);
    for (const [group, kind] of seen) expect(kind === 'delete' ? end.deleted.has(group) : end.present.has(group)).toBe(true);
  });
});
