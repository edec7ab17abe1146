import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { generatedFiles } from '../../../core/schema/generate.js';
import { CROSS_FIELD_RULES } from '../../../core/schema/rules.js';
import type { JsonSchema } from '../../../core/schema/openapi.js';

describe('generated files', () => {
  it('are up to date with core/schema (run `npm run generate` after changing it)', async () => {
    for (const { path, content } of await generatedFiles()) {
      expect({ path, content: await readFile(path, 'utf8') }).toEqual({ path, content });
    }
  });
});

describe('the CRD', () => {
  const load = async () => parse(await readFile(new URL('../../../infra/k8s/crd.yaml', import.meta.url), 'utf8'));

  it('documents every field, so kubectl explain helps', async () => {
    const crd = await load();
    const undocumented: string[] = [];
    const walk = (node: JsonSchema, path: string) => {
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        const here = `${path}.${key}`;
        if (!child.description && !['apiVersion', 'kind', 'metadata'].includes(key) && !path.includes('conditions')) {
          undocumented.push(here);
        }
        walk(child, here);
        if (child.items) walk(child.items, `${here}[]`);
      }
    };
    walk(crd.spec.versions[0].schema.openAPIV3Schema, '');
    expect(undocumented).toEqual([]);
  });

  it('carries every cross-field rule as CEL with its message', async () => {
    const text = JSON.stringify(await load());
    for (const rule of CROSS_FIELD_RULES) expect(text).toContain(JSON.stringify(rule.message));
  });

  it('has the reference printer columns in order', async () => {
    const crd = await load();
    const all = crd.spec.versions[0].additionalPrinterColumns as { name: string; priority?: number }[];
    const names = (priority: number) => all.filter((c) => (c.priority ?? 0) === priority).map((c) => c.name.toUpperCase());
    expect(names(0)).toEqual(['STATE', 'MIN', 'MAX', 'GROUP NAME', 'PROVISIONER', 'AGE']);
    expect(names(1)).toEqual(['REASON', 'CLUSTER', 'NODES', 'EXECUTION']);
  });
});
