import { Ajv, type ErrorObject } from 'ajv';
import type { FieldProblem } from '../errors/index.js';
import { instanceGroupSpecSchema, type JsonSchema } from '../schema/openapi.js';

/** The API server prunes unknown fields (and kubectl's strict field validation refuses them); say so by name. */
function closeObjects(schema: JsonSchema): JsonSchema {
  const copy: JsonSchema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, closeObjects(v)]));
    if (copy.additionalProperties === undefined && !copy['x-kubernetes-preserve-unknown-fields']) copy.additionalProperties = false;
  }
  if (copy.items) copy.items = closeObjects(copy.items);
  return copy;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(closeObjects(instanceGroupSpecSchema()));

function fieldOf(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = 'spec';
  for (const segment of segments) path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  if (error.keyword === 'required') path += `.${(error.params as { missingProperty: string }).missingProperty}`;
  return path;
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    case 'additionalProperties':
      return `has an unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"; check its spelling against \`kubectl explain instancegroup.spec\``;
    case 'pattern':
      return `has an invalid format (expected to match ${(error.params as { pattern: string }).pattern})`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** What the CRD's OpenAPI schema refuses, checked with the very same schema. */
export function schemaProblems(spec: unknown): FieldProblem[] {
  if (validate(spec)) return [];
  return (validate.errors ?? []).map((e) => ({ field: fieldOf(e), message: messageOf(e) }));
}
