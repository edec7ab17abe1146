// The conflict writer bumps the objects it is pointed at with a metadata-only merge patch, and keeps going when the
// API server is away or an object is gone.
import type { KubeRest } from '../../../core/kube/rest.js';
import { JOSTLE_ANNOTATION, startConflictWriter } from '../../../local/faults/conflicts.js';

test('writes a merge-patched annotation on the drawn targets, counts them by kind, and survives failures', async () => {
  const seen: { method: string; path: string; body: unknown; contentType?: string }[] = [];
  let calls = 0;
  const rest = {
    request: async (method: string, path: string, options: { body: unknown; contentType?: string }) => {
      if (calls++ % 3 === 2) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      seen.push({ method, path, body: options.body, contentType: options.contentType });
      return {};
    },
  } as unknown as KubeRest;
  const targets = ['/apis/instancemgr.keikoproj.io/v1alpha1/namespaces/soak/instancegroups/a', '/api/v1/namespaces/kube-system/configmaps/aws-auth'];
  let draw = 0;
  const writer = startConflictWriter({ rest, intervalMs: 1, targets: () => targets, random: () => (draw++ % 2) / 2 });
  while (seen.length < 6) await new Promise((r) => setTimeout(r, 5));
  await writer.stop();
  expect(new Set(seen.map((s) => `${s.method} ${s.contentType}`))).toEqual(new Set(['PATCH application/merge-patch+json']));
  expect(seen.every((s) => Object.keys((s.body as { metadata: { annotations: object } }).metadata.annotations).join() === JOSTLE_ANNOTATION)).toBe(true);
  expect(new Set(seen.map((s) => s.path))).toEqual(new Set(targets));
  expect(writer.writes.instancegroups! + writer.writes.configmaps!).toBe(seen.length);
});
