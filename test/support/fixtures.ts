import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { InstanceGroup } from '../../core/spec/types.js';

export const fixturePath = (relative: string): string => fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));

/** The reference README's samples, byte for byte as published. */
export const REFERENCE_SAMPLES = {
  eksCf: fixturePath('reference/eks-cf.yaml'),
  eksFargate: fixturePath('reference/eks-fargate.yaml'),
} as const;

export function loadManifest(path: string): InstanceGroup {
  return parse(readFileSync(path, 'utf8')) as InstanceGroup;
}

export const clone = <T>(value: T): T => structuredClone(value);
