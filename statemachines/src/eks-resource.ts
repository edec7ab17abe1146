// The apply and delete machines of an EKS provisioner whose group is one kind of EKS resource (a managed node group, a
// Fargate profile): both decide one change at a time, run it, wait for EKS and decide again. The machine files
// (eks-managed-*.ts, eks-fargate-*.ts) say only what differs: the resource's states, comments and busy policies.
import type { RetryPolicy } from '../../core/errors/index.js';
import { choice, fail, from, machine, succeed, task, wait, when, type MachineDescription, type State } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';

const TIMEOUT_SECONDS = 21600;
const MAX_DECISIONS = 20;

/** A named state with its comment. */
interface Step {
  name: string;
  comment: string;
}

/** A change the apply's decision can pick: `action` is the decision's `plan.action`, the step runs it. */
export interface EksChange extends Step {
  action: string;
  busy: RetryPolicy;
  /** A step that creates or changes what a newer generation may own stops when the group moved on. */
  stopsWhenNoLongerWanted: boolean;
}

/** What both machines of one kind share: the resource's name in comments and its progress check. */
export interface EksMachineKind {
  /** As the wait loop's comment says it, e.g. "node group". */
  resource: string;
  /** The Task that describes the resource until EKS has finished with it. */
  check: string;
}

export const NODE_GROUP: EksMachineKind = { resource: 'node group', check: 'Check Node Group Progress' };
export const FARGATE_PROFILE: EksMachineKind = { resource: 'fargate profile', check: 'Check Fargate Profile Progress' };

export interface EksApplyOptions {
  name: string;
  comment: string;
  kind: EksMachineKind;
  checkReferencesComment: string;
  /** Uses the spec's role or creates the group's; `parameters` are the fields it reads. */
  createRole: Step & { parameters: string[] };
  decide: { comment: string; busy?: RetryPolicy };
  /** The Choice that runs the decided change, e.g. "What Does The Node Group Need?". */
  needs: string;
  changes: EksChange[];
  checkComment: string;
  /** Runs once nothing is left to change: deletes a created role the spec no longer uses. */
  deleteUnusedRole: Step;
  reportReadyComment: string;
  readyComment: string;
}

const unexpectedDecision = (): State =>
  fail('Unexpected Decision', { error: 'UnexpectedDecision', cause: '"Decide Next Change" returned an action this workflow does not handle; its output in the execution history shows which.' });

export function eksApplyMachine(o: EksApplyOptions): MachineDescription {
  const stopped = 'Stopped: No Longer Wanted';
  return machine(o.name, {
    comment: o.comment,
    timeoutSeconds: TIMEOUT_SECONDS,
    states: [
      start({ decisionLoop: true }),
      ...readGroupForApply(),
      succeed(stopped, "Nothing changed: right before changing AWS, the group had a newer generation, was being deleted or was gone (or AWS held a newer generation's work)."),
      task('Report Started', 'Status ReconcileModifying. Sizes and names are written once AWS has them (Report Ready), so status never shows values that are not in effect.', {
        parameters: { ...from('change', 'execution'), report: { phase: 'started' } },
        resultPath: null,
        next: 'Check AWS References',
      }),
      task('Check AWS References', o.checkReferencesComment, {
        parameters: from('change', 'execution', 'group'),
        resultPath: '$.references',
        next: o.createRole.name,
      }),
      task(o.createRole.name, o.createRole.comment, {
        parameters: from(...o.createRole.parameters),
        resultPath: '$.role',
        next: 'Decide Next Change',
      }),
      task('Decide Next Change', o.decide.comment, {
        parameters: { ...from('change', 'execution', 'group', 'role', 'plan'), purpose: 'apply', maxPasses: MAX_DECISIONS },
        resultPath: '$.plan',
        next: o.needs,
        ...(o.decide.busy ? { busy: o.decide.busy } : {}),
      }),
      choice(
        o.needs,
        'Runs the change just decided; once nothing is left, reports Ready.',
        [
          ...o.changes.map((c) => when('$.plan.action', c.action, c.name)),
          when('$.plan.action', 'wait', 'Wait For EKS'),
          when('$.plan.action', 'none', o.deleteUnusedRole.name),
          when('$.plan.action', 'superseded', 'Report Superseded While Applying'),
          when('$.plan.action', 'deleting', 'Stopped: Group Is Being Deleted'),
          when('$.plan.action', 'gone', 'Stopped: Group No Longer Exists'),
        ],
        'Unexpected Decision',
      ),
      ...o.changes.map((c) =>
        task(c.name, c.comment, {
          parameters: from('change', 'execution', 'group', 'role', 'plan'),
          resultPath: '$.progress',
          next: 'Has EKS Finished?',
          busy: c.busy,
          ...(c.stopsWhenNoLongerWanted ? { noLongerWanted: stopped } : {}),
        }),
      ),
      ...eksWaitLoop({ ...o.kind, checkComment: o.checkComment, decide: 'Decide Next Change' }),
      task('Report Superseded While Applying', 'A newer generation arrived while this execution was applying; it stops, and the newer execution carries on.', {
        parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
        resultPath: null,
        next: 'Superseded By A Newer Generation',
        bestEffort: true,
      }),
      task(o.deleteUnusedRole.name, o.deleteUnusedRole.comment, {
        parameters: { ...from('change', 'execution', 'group'), purpose: 'apply' },
        resultPath: '$.roleCleanup',
        next: 'Report Ready',
      }),
      task('Report Ready', o.reportReadyComment, {
        parameters: { ...from('change', 'execution'), 'report.$': '$.plan.report' },
        resultPath: null,
        next: 'Ready',
      }),
      succeed('Ready', o.readyComment),
      unexpectedDecision(),
    ],
  });
}

export interface EksDeleteOptions {
  name: string;
  comment: string;
  kind: EksMachineKind;
  decide: { comment: string; busy?: RetryPolicy };
  needsComment: string;
  deleteResource: Step & { busy: RetryPolicy };
  checkComment: string;
  /** States run once nothing is left, before the role is deleted; given the role deletion's name, they end there. */
  beforeRoleDeletion?: (next: string) => State[];
  deleteRole: Step;
  deletedComment: string;
}

export function eksDeleteMachine(o: EksDeleteOptions): MachineDescription {
  const beforeRoleDeletion = o.beforeRoleDeletion?.(o.deleteRole.name) ?? [];
  return machine(o.name, {
    comment: o.comment,
    timeoutSeconds: TIMEOUT_SECONDS,
    states: [
      start({ decisionLoop: true }),
      ...readGroupForDelete('Decide Next Deletion'),
      task('Decide Next Deletion', o.decide.comment, {
        parameters: { ...from('change', 'execution', 'group', 'plan'), purpose: 'delete', maxPasses: MAX_DECISIONS },
        resultPath: '$.plan',
        next: 'What Is Left To Delete?',
        ...(o.decide.busy ? { busy: o.decide.busy } : {}),
      }),
      choice(
        'What Is Left To Delete?',
        o.needsComment,
        [
          when('$.plan.action', 'delete', o.deleteResource.name),
          when('$.plan.action', 'wait', 'Wait For EKS'),
          when('$.plan.action', 'await-earlier-applies', 'Wait For Earlier Applies'),
          when('$.plan.action', 'none', beforeRoleDeletion[0]?.name ?? o.deleteRole.name),
        ],
        'Unexpected Decision',
      ),
      wait('Wait For Earlier Applies', "Nothing is left, but an apply step that began before the deletion could still create something: wait until no such step can still run (the step's Lambda timeout and a margin after deletionTimestamp), then look again.", '$.plan.waitSeconds', 'Decide Next Deletion'),
      task(o.deleteResource.name, o.deleteResource.comment, {
        parameters: from('change', 'execution', 'group', 'plan'),
        resultPath: '$.progress',
        next: 'Has EKS Finished?',
        busy: o.deleteResource.busy,
      }),
      ...eksWaitLoop({ ...o.kind, checkComment: o.checkComment, decide: 'Decide Next Deletion' }),
      ...beforeRoleDeletion,
      task(o.deleteRole.name, o.deleteRole.comment, {
        parameters: { ...from('change', 'execution', 'group'), purpose: 'delete' },
        resultPath: '$.roleCleanup',
        next: 'Report Deleted',
      }),
      task('Report Deleted', 'Releases the object: removes the finalizer so Kubernetes can delete it.', {
        parameters: { ...from('change', 'execution'), report: { phase: 'deleted' } },
        resultPath: null,
        next: 'Deleted',
      }),
      succeed('Deleted', o.deletedComment),
      unexpectedDecision(),
    ],
  });
}
