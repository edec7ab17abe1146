// The state machines of the local service: CreateStateMachine (placeholders substituted, the definition checked by
// aws-local-stepfunctions, Lambda Tasks bound to handlers; idempotent for the same definition and role), Describe,
// List and Delete.
import type { CreateStateMachineInput, DescribeStateMachineOutput, ListStateMachinesInput, ListStateMachinesOutput } from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Logger } from '../../core/log/index.js';
import { page, required } from './api-input.js';
import { checkName, parseStateMachineArn, stateMachineArn, type Account } from './arn.js';
import { parseDefinition, substitutePlaceholders, timingOverrides } from './definition.js';
import { sfnError } from './errors.js';
import { bindTasks, type BindingOptions } from './lambda.js';
import type { CreateLocalStateMachineInput, LocalStepFunctionsOptions } from './options.js';
import type { MachineForRun } from './runner.js';

export interface MachineEntry extends MachineForRun {
  type: 'STANDARD';
  definitionText: string;
  creationDate: Date;
}

export class StateMachines {
  private readonly entries = new Map<string, MachineEntry>();

  constructor(
    private readonly acct: Account,
    private readonly options: LocalStepFunctionsOptions,
    private readonly log: Logger,
  ) {}

  create(input: CreateLocalStateMachineInput | CreateStateMachineInput): { stateMachineArn: string; creationDate: Date } {
    const local = input as CreateLocalStateMachineInput;
    const name = required(input.name, 'name');
    checkName(name, 'state machine');
    if (input.type && input.type !== 'STANDARD') throw sfnError('ValidationException', 'The local runtime runs STANDARD state machines only');
    const substituted = substitutePlaceholders(parseDefinition(required(input.definition, 'definition')), {
      ...this.acct,
      functionNamePrefix: this.options.functionNamePrefix,
      substitutions: { ...this.options.substitutions, ...local.substitutions },
    });
    try {
      new StateMachine(substituted as unknown as StateMachineDefinition);
    } catch (error) {
      throw sfnError('InvalidDefinition', `Invalid State Machine Definition: '${(error as Error).message}'`);
    }
    const bindingOptions: BindingOptions = {
      ...this.acct,
      handlers: { ...this.options.handlers, ...local.handlers },
      functions: { ...this.options.functions, ...local.functions },
      functionNamePrefix: this.options.functionNamePrefix,
      unboundTasks: this.options.unboundTasks,
    };
    const bindings = bindTasks(substituted, bindingOptions);
    const arn = stateMachineArn(this.acct, name);
    const definitionText = typeof input.definition === 'string' && !input.definition.includes('${') ? input.definition : JSON.stringify(substituted, null, 2);
    const roleArn = input.roleArn ?? `arn:aws:iam::${this.acct.account}:role/instance-manager-states`;
    const existing = this.entries.get(arn);
    if (existing) {
      if (existing.definitionText === definitionText && existing.roleArn === roleArn) return { stateMachineArn: arn, creationDate: existing.creationDate };
      throw sfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const entry: MachineEntry = {
      arn,
      name,
      roleArn,
      type: 'STANDARD',
      definition: substituted,
      definitionText,
      creationDate: new Date(),
      bindings,
      bindingOptions,
      timing: timingOverrides(substituted, { ...this.options.timing, ...local.timing }),
    };
    this.entries.set(arn, entry);
    this.log.info('state machine created', { stateMachineArn: arn, tasks: [...bindings.keys()] });
    return { stateMachineArn: arn, creationDate: entry.creationDate };
  }

  /** The machine, or StateMachineDoesNotExist (ValidationException without an ARN, InvalidArn for a malformed one). */
  get(arn: string | undefined): MachineEntry {
    parseStateMachineArn(required(arn, 'stateMachineArn'));
    const m = this.entries.get(arn!);
    if (!m) throw sfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  describe(input: { stateMachineArn?: string }): DescribeStateMachineOutput {
    const m = this.get(input.stateMachineArn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definitionText,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: m.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  list(input: ListStateMachinesInput = {}): ListStateMachinesOutput {
    const all = [...this.entries.values()].map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate }));
    const { items, nextToken } = page(all, input.maxResults, input.nextToken);
    return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
  }

  delete(input: { stateMachineArn?: string }): Record<string, never> {
    const m = this.get(input.stateMachineArn);
    this.entries.delete(m.arn);
    return {};
  }
}
