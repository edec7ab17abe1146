// ASL definitions: reading, placeholder substitution, walking every state (Parallel branches and Map processors
// included), and the Wait / Retry overrides that make the same ASL run fast locally.
import { readFileSync } from 'node:fs';
import { kebabCase as kebabCaseName, pascalCase } from '../../core/workflows/names.js';
import { lambdaFunctionArn, type Account } from './arn.js';
import { sfnError } from './errors.js';

/** A parsed ASL document. Kept loose on purpose: the library validates it, we only walk it. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: unknown;
  Seconds?: number;
  Retry?: AslRetrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Branches?: AslDefinition[];
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  [key: string]: unknown;
}

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

export interface VisitedState {
  name: string;
  state: AslState;
  /** Names of the enclosing Parallel/Map states, outermost first; empty at the top level. */
  parents: string[];
}

export function parseDefinition(definition: string | object): AslDefinition {
  let parsed: unknown = definition;
  if (typeof definition === 'string') {
    try {
      parsed = JSON.parse(definition);
    } catch (error) {
      throw sfnError('InvalidDefinition', `Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ${(error as Error).message}'`);
    }
  }
  const def = parsed as AslDefinition;
  if (!def || typeof def !== 'object' || typeof def.StartAt !== 'string' || !def.States || typeof def.States !== 'object') {
    throw sfnError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: StartAt and States are required'");
  }
  return JSON.parse(JSON.stringify(def)) as AslDefinition;
}

export function readDefinitionFile(path: string): AslDefinition {
  return parseDefinition(readFileSync(path, 'utf8'));
}

/** Every state, depth first, in definition order. */
export function listStates(def: AslDefinition, parents: string[] = []): VisitedState[] {
  const out: VisitedState[] = [];
  for (const [name, state] of Object.entries(def.States)) {
    out.push({ name, state, parents });
    const nested = [...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : []), ...(state.Iterator ? [state.Iterator] : [])];
    for (const child of nested) out.push(...listStates(child, [...parents, name]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholders

export interface SubstitutionOptions extends Account {
  /** Function names are `<prefix><kebab-case>`; default `instance-manager-`. */
  functionNamePrefix?: string;
  /** Extra placeholders (name without ${}) and their values. */
  substitutions?: Record<string, string>;
}

export const DEFAULT_FUNCTION_PREFIX = 'instance-manager-';
const PLACEHOLDER = /\$\{([^}]*)\}/g;
const FUNCTION_ARN_PLACEHOLDER = /^([A-Z][A-Za-z0-9]*)FunctionArn$/;

/** "ReadInstanceGroup" → "read-instance-group": the one naming rule of core/workflows/names.ts. */
export const kebabCase = kebabCaseName;

/** "instance-manager-read-instance-group" → "ReadInstanceGroupFunctionArn": the placeholder that names a function. */
export function placeholderForFunction(functionName: string, prefix = DEFAULT_FUNCTION_PREFIX): string | undefined {
  if (!functionName.startsWith(prefix)) return undefined;
  const pascal = pascalCase(functionName.slice(prefix.length));
  return pascal ? `${pascal}FunctionArn` : undefined;
}

export function findPlaceholders(def: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') for (const m of v.matchAll(PLACEHOLDER)) found.add(m[1]!);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(def);
  return [...found];
}

/**
 * Replaces `${XxxFunctionArn}` with arn:aws:lambda:<region>:<account>:function:<prefix><xxx-kebab> and any
 * `${Name}` given in `substitutions`. Every other placeholder is an InvalidDefinition error that names them all.
 */
export function substitutePlaceholders(def: AslDefinition, options: SubstitutionOptions): AslDefinition {
  const prefix = options.functionNamePrefix ?? DEFAULT_FUNCTION_PREFIX;
  const values = new Map<string, string>();
  const unknown: string[] = [];
  for (const name of findPlaceholders(def)) {
    const given = options.substitutions?.[name];
    const fn = FUNCTION_ARN_PLACEHOLDER.exec(name);
    if (given !== undefined) values.set(name, given);
    else if (fn) values.set(name, lambdaFunctionArn(options, `${prefix}${kebabCase(fn[1]!)}`));
    else unknown.push(name);
  }
  if (unknown.length) {
    throw sfnError(
      'InvalidDefinition',
      `Invalid State Machine Definition: unknown placeholder(s) ${unknown.map((n) => `\${${n}}`).join(', ')}: ` +
        'only ${<Name>FunctionArn} is substituted automatically; pass the others in `substitutions`',
    );
  }
  const replace = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(PLACEHOLDER, (_, name: string) => values.get(name)!);
    if (Array.isArray(v)) return v.map(replace);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replace(x)]));
    return v;
  };
  return replace(def) as AslDefinition;
}

// ---------------------------------------------------------------------------------------------------------------
// Time scaling

export interface TimingOptions {
  /** Every Wait state pauses this many milliseconds (default 10), unless `waitFactor` applies. */
  waitMs?: number;
  /** If set, a Wait with `Seconds: s` pauses s × 1000 × waitFactor ms (SecondsPath/Timestamp Waits use waitMs). */
  waitFactor?: number;
  /**
   * Each retrier pauses min(IntervalSeconds, MaxDelaySeconds) × 1000 × retryFactor ms (default 0.001: 1 s → 1 ms).
   * The library takes one pause per retrier, so BackoffRate does not grow the pause locally.
   */
  retryFactor?: number;
  /** Run Waits and Retry pauses for their real duration (no overrides). */
  realTime?: boolean;
  /**
   * HeartbeatSeconds and TimeoutSeconds of `.waitForTaskToken` Tasks × this factor (default 1: they run in real
   * time, so an event has time to hand the token back before a fallback fires).
   */
  tokenTimeoutFactor?: number;
}

export interface TimingOverrides {
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number[]>;
  /** Scales HeartbeatSeconds/TimeoutSeconds of `.waitForTaskToken` Tasks (default 1: real time). */
  tokenTimeoutFactor?: number;
}

export function timingOverrides(def: AslDefinition, timing: TimingOptions = {}): TimingOverrides {
  const out: TimingOverrides = { waitTimeOverrides: {}, retryIntervalOverrides: {} };
  if (timing.realTime) return out;
  if (timing.tokenTimeoutFactor !== undefined) out.tokenTimeoutFactor = timing.tokenTimeoutFactor;
  const waitMs = timing.waitMs ?? 10;
  const retryFactor = timing.retryFactor ?? 0.001;
  for (const { name, state } of listStates(def)) {
    if (state.Type === 'Wait') {
      out.waitTimeOverrides[name] =
        timing.waitFactor !== undefined && typeof state.Seconds === 'number'
          ? Math.round(state.Seconds * 1000 * timing.waitFactor)
          : waitMs;
    }
    if (state.Retry?.length) {
      out.retryIntervalOverrides[name] = state.Retry.map((r) => {
        const seconds = Math.min(r.IntervalSeconds ?? 1, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
        return Math.round(seconds * 1000 * retryFactor);
      });
    }
  }
  return out;
}
