import type { FieldProblem } from '../errors/index.js';
import { CROSS_FIELD_RULES } from '../schema/rules.js';

function valueAt(root: unknown, dottedPath: string): unknown {
  let node: unknown = { spec: root };
  for (const key of dottedPath.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The cross-field rules the CRD enforces through CEL, evaluated with their JavaScript twins. */
export function ruleProblems(spec: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const rule of CROSS_FIELD_RULES) {
    if (!rule.holds) continue;
    const self = valueAt(spec, rule.at);
    if (self === undefined || self === null) continue;
    if (!rule.holds(self as Record<string, unknown>)) problems.push({ field: rule.at, message: rule.message });
  }
  return problems;
}
