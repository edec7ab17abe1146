import {
  API_GROUP,
  API_VERSION,
  CATEGORIES,
  KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  instanceGroupSpecSchema,
  instanceGroupStatusSchema,
  type JsonSchema,
} from './openapi.js';
import { CROSS_FIELD_RULES } from './rules.js';

/** Finds the schema node for a dotted path such as "spec.eks-cf.configuration" inside the root schema. */
function nodeAt(root: JsonSchema, path: string): JsonSchema {
  let node = root;
  for (const key of path.split('.')) {
    const next = node.properties?.[key] ?? (node.type === 'array' ? node.items : undefined);
    if (!next) throw new Error(`rule path ${path} does not exist in the schema (at ${key})`);
    node = next;
  }
  return node;
}

export function instanceGroupRootSchema(): JsonSchema {
  const root: JsonSchema = {
    type: 'object',
    description:
      'An InstanceGroup is a group of worker nodes (or a Fargate profile) for an EKS cluster. instance-manager ' +
      'creates, updates and deletes the AWS resources behind it.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'instancemgr.keikoproj.io/v1alpha1' },
      kind: { type: 'string', description: 'InstanceGroup' },
      metadata: { type: 'object' },
      spec: instanceGroupSpecSchema(),
      status: instanceGroupStatusSchema(),
    },
  };
  for (const rule of CROSS_FIELD_RULES) {
    const node = nodeAt(root, rule.at);
    node['x-kubernetes-validations'] = [...(node['x-kubernetes-validations'] ?? []), { rule: rule.cel, message: rule.message }];
  }
  return root;
}

export const PRINTER_COLUMNS = [
  { name: 'State', type: 'string', jsonPath: '.status.currentState', description: 'Where the group is in its lifecycle.' },
  { name: 'Min', type: 'integer', jsonPath: '.status.currentMin', description: 'Minimum size in effect.' },
  { name: 'Max', type: 'integer', jsonPath: '.status.currentMax', description: 'Maximum size in effect.' },
  { name: 'Group Name', type: 'string', jsonPath: '.status.activeScalingGroupName', description: 'The Auto Scaling group.' },
  { name: 'Provisioner', type: 'string', jsonPath: '.spec.provisioner', description: 'eks-cf, eks-managed or eks-fargate.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  // priority 1: only with `kubectl get -o wide`.
  { name: 'Reason', type: 'string', priority: 1, jsonPath: '.status.conditions[?(@.type=="Ready")].reason', description: "The Ready condition's reason." },
  { name: 'Cluster', type: 'string', priority: 1, jsonPath: '.status.clusterName', description: 'The EKS cluster the capacity belongs to.' },
  { name: 'Nodes', type: 'integer', priority: 1, jsonPath: '.status.readyNodes', description: 'Nodes of the group that are registered and Ready.' },
  { name: 'Execution', type: 'string', priority: 1, jsonPath: '.status.lastExecution.name', description: 'The Step Functions execution that last wrote the status.' },
] as const;

export function instanceGroupCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      scope: 'Namespaced',
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: SINGULAR, shortNames: SHORT_NAMES, categories: CATEGORIES },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: { openAPIV3Schema: instanceGroupRootSchema() },
        },
      ],
    },
  };
}
