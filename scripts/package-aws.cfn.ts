// The vocabulary of the deployment configuration (scripts/package-aws.config.ts): its input (serverless.yml's
// settings), the names serverless and CloudFormation give things, the intrinsics, and the fixed names the rest of
// the tree refers to. No resources are built here.
import { readFileSync } from 'node:fs';
import type { AslDefinition } from '../core/workflows/bindings.js';
import { pascalCase } from '../core/workflows/names.js';
import type { VpcSettings } from './package-aws.operations.js';

/** Where scripts/package-aws.ts leaves one zip per function (index.mjs at the zip's root). */
export const ARTIFACTS_DIR = 'dist/aws';

/** The Kubernetes group the workflow Lambdas' roles are mapped to (access entry or aws-auth); see infra/k8s/workflows-access.yaml. */
export const KUBERNETES_GROUP = 'instance-manager-workflows';
/** The extra group of the functions that edit aws-auth (kubernetes: node-access); see infra/k8s/workflows-rbac.yaml. */
export const NODE_ACCESS_GROUP = 'instance-manager-node-access';
/** The function EventBridge rules target; it starts executions under deterministic names. */
export const START_WORKFLOW = 'start-workflow';
/** The function the rule on Step Functions execution status changes targets; it reports failures onto groups. */
export const REPORT_EXECUTION_FAILURE = 'report-execution-failure';
/** Tag that marks what instance-manager created (core/names OWNERSHIP_TAGS.managedBy). */
export const MANAGED_BY_TAG = 'app.kubernetes.io/managed-by';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: Json;
  Condition?: Obj;
}

/** custom.functions.<folder> in serverless.yml. */
export interface FunctionSettings {
  description?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Obj;
  /** IAM statements beyond logs and X-Ray, which every function gets. */
  statements?: Statement[];
  /**
   * The function reaches Kubernetes API servers: its role gets an EKS access entry / aws-auth mapping to the workflows'
   * group. `node-access` adds the group that may edit aws-auth: only the steps that map and unmap node roles.
   */
  kubernetes?: boolean | 'node-access';
}

export interface GeneratorInput {
  service: string;
  stage: string;
  region: string;
  defaults: Required<Pick<FunctionSettings, 'memorySize' | 'timeout'>>;
  functions: Record<string, FunctionSettings>;
  /**
   * EKS clusters this installation serves: their access entries are created for the Kubernetes-facing roles, and the
   * eks:Create* and tagging permissions name only them (RESOURCE_MARKERS). Empty: any cluster of the account.
   */
  clusterNames: string[];
  /** Role ARNs besides instance-manager's own (IAM path /instance-manager/) that the functions may pass to EKS. */
  passableRoleArns?: string[];
  logRetentionInDays: number;
  /** Private clusters: the Kubernetes-facing functions run in these subnets with these security groups. */
  vpc?: VpcSettings;
}

/** "eks-cf-apply-stack" → "EksCfApplyStack": the serverless function key, and the ASL placeholder's base. */
export const pascal = pascalCase;

/** Serverless names a function's resources after its key: <Key>LambdaFunction, <Key>LogGroup. */
export const lambdaLogicalId = (folder: string) => `${pascal(folder)}LambdaFunction`;
export const roleLogicalId = (folder: string) => `${pascal(folder)}Role`;
export const stateMachineLogicalId = (base: string) => `${pascal(base)}StateMachine`;
export const ruleLogicalId = (base: string) => `${pascal(base)}Rule`;

/** IAM names are global and 64 characters at most: keep the readable start, end with a short hash if cut. */
export function iamName(...parts: string[]): string {
  const full = parts.join('-');
  if (full.length <= 64) return full;
  let h = 0;
  for (const c of full) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const hash = h.toString(16).padStart(8, '0').slice(0, 8);
  return `${full.slice(0, 64 - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

export const sub = (s: string): Obj => ({ 'Fn::Sub': s });
export const getAtt = (id: string, attr: string): Obj => ({ 'Fn::GetAtt': [id, attr] });
export const ref = (id: string): Obj => ({ Ref: id });

export function readAsl(file: string): { text: string; asl: AslDefinition } {
  const text = readFileSync(file, 'utf8');
  return { text, asl: JSON.parse(text) as AslDefinition };
}

/** Whether a function runs in the VPC: the Kubernetes-facing ones, when VPC settings are given. */
export const inVpc = (input: GeneratorInput, settings: FunctionSettings) => !!input.vpc && !!settings.kubernetes;

