// Reading IAM policies out of CloudFormation templates, for the least-privilege tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>; [k: string]: unknown };

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

export interface RoleStatements {
  /** Logical ID of the AWS::IAM::Role. */
  role: string;
  statements: PolicyStatement[];
}

/** Parses a CloudFormation YAML template, keeping short-form intrinsics (!Sub, !Ref, ...) as their long form. */
export function loadTemplate(file: string): Template {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text) as Template;
  const intrinsic = (name: string, kind: 'scalar' | 'seq' | 'map') => ({
    tag: `!${name}`,
    collection: kind === 'scalar' ? undefined : kind,
    resolve: (value: unknown) => {
      const v = (value as { toJSON?: () => unknown })?.toJSON ? (value as { toJSON: () => unknown }).toJSON() : value;
      if (name === 'GetAtt' && typeof v === 'string') return { 'Fn::GetAtt': v.split('.') };
      return { [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: v };
    },
  });
  const names = ['Ref', 'Sub', 'GetAtt', 'Join', 'Split', 'If', 'Not', 'Equals', 'And', 'Or', 'Select', 'ImportValue', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'Condition'];
  const customTags = names.flatMap((n) => [intrinsic(n, 'scalar'), intrinsic(n, 'seq'), intrinsic(n, 'map')]) as never;
  return parse(text, { customTags }) as Template;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every inline policy statement of every AWS::IAM::Role (and AWS::IAM::Policy / ManagedPolicy) in a template. */
export function roleStatements(template: Template): RoleStatements[] {
  const out: RoleStatements[] = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    const props = res.Properties ?? {};
    if (res.Type === 'AWS::IAM::Role') {
      const policies = (props.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatement | PolicyStatement[] } }[];
      out.push({ role: id, statements: policies.flatMap((p) => asList(p.PolicyDocument.Statement)) });
    } else if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::ManagedPolicy') {
      const doc = props.PolicyDocument as { Statement: PolicyStatement | PolicyStatement[] };
      out.push({ role: id, statements: asList(doc.Statement) });
    }
  }
  return out;
}

/** IAM action matching: "iam:Get*" matches "iam:GetRole"; case-insensitive as IAM is. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(action);
}

/** A resource as text: a literal ARN, or the string inside Fn::Sub; other intrinsics (Ref, GetAtt, ImportValue) name one resource. */
export function resourceText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (r && typeof r['Fn::Sub'] === 'string') return r['Fn::Sub'];
  if (r && Array.isArray(r['Fn::Sub'])) return String(r['Fn::Sub'][0]);
  return JSON.stringify(resource);
}

export function isReadOnly(action: string): boolean {
  return /^[a-z0-9-]+:(Describe|Get|List)/i.test(action);
}

export function cfnLint(files: string[], ignoreChecks: string[] = []): { code: number; output: string } {
  const args = [...(ignoreChecks.length ? ['--ignore-checks', ...ignoreChecks] : []), '--', ...files];
  const run = spawnSync('cfn-lint', args, { encoding: 'utf8', timeout: 180_000 });
  if (run.error) throw new Error(`cfn-lint could not run (pip install cfn-lint): ${run.error.message}`);
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
