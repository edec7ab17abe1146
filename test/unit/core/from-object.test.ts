import { LAST_APPLIED_ANNOTATION, specOf } from '../../../core/spec/from-object.js';
import type { InstanceGroup } from '../../../core/spec/types.js';

const userSpec = {
  provisioner: 'eks-fargate' as const,
  'eks-fargate': { selectors: [{ namespace1: null, labels: { a: 'b' } }] },
};
const storedSpec = { provisioner: 'eks-fargate' as const, 'eks-fargate': { selectors: [{ labels: { a: 'b' } }] } };

const object = (spec: object, annotation?: string) =>
  ({
    metadata: { name: 'g', namespace: 'n', uid: 'u', generation: 1, resourceVersion: '1', annotations: annotation ? { [LAST_APPLIED_ANNOTATION]: annotation } : {} },
    spec,
  }) as unknown as InstanceGroup;

describe('specOf', () => {
  it('recovers the null-valued selector shorthand that client-side kubectl apply dropped', () => {
    expect(specOf(object(storedSpec, JSON.stringify({ spec: userSpec })))).toEqual(userSpec);
  });

  it('ignores a last-applied record that differs from the stored spec (someone edited the object since)', () => {
    const edited = { ...storedSpec, 'eks-fargate': { selectors: [{ labels: { a: 'changed' } }] } };
    expect(specOf(object(edited, JSON.stringify({ spec: userSpec })))).toEqual(edited);
  });

  it('ignores a malformed annotation', () => {
    expect(specOf(object(storedSpec, '{not json'))).toEqual(storedSpec);
  });

  it('returns the stored spec when there is no annotation', () => {
    expect(specOf(object(storedSpec))).toEqual(storedSpec);
  });
});
