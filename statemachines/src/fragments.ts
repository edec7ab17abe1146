// Runs of states that several machines share word for word: how an execution starts, re-reads its group and stops
// when the group moved on, and the EKS wait loop of the two EKS provisioners. Each machine file keeps what is its own.
import { choice, from, pass, succeed, task, wait, when, type State } from './kit/index.js';

/** "Start": keeps the change and the execution; a decision loop also starts with nothing done. */
export function start(options: { decisionLoop: boolean }): State {
  const execution = { 'arn.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' };
  return options.decisionLoop
    ? pass('Start', 'Keeps the InstanceGroup change that started this execution and the execution itself, and starts the decision loop with nothing done.', {
        parameters: {
          'change.$': '$',
          execution,
          plan: { action: 'start', pass: 0, history: [] },
          progress: { polls: 0, settled: false, waitSeconds: 5 },
        },
        next: 'Read Instance Group',
      })
    : pass('Start', 'Keeps the InstanceGroup change that started this execution, and the execution itself.', {
        parameters: { 'change.$': '$', execution },
        next: 'Read Instance Group',
      });
}

function readGroup(next: string, comment: string): State {
  return task('Read Instance Group', comment, {
    parameters: from('change', 'execution'),
    resultPath: '$.group',
    next,
  });
}

/** An apply re-reads its group and stops, successfully, when a newer generation, a deletion or nothing is there. */
export function readGroupForApply(): State[] {
  return [
    readGroup('Is This Generation Still Wanted?', 'Re-reads the InstanceGroup from the cluster: the workflow acts on the latest generation only.'),
    choice(
      'Is This Generation Still Wanted?',
      'An older generation never gets applied; a group being deleted belongs to the delete workflow.',
      [
        when('$.group.outcome', 'superseded', 'Report Superseded'),
        when('$.group.outcome', 'deleting', 'Stopped: Group Is Being Deleted'),
        when('$.group.outcome', 'gone', 'Stopped: Group No Longer Exists'),
      ],
      'Report Started',
    ),
    task('Report Superseded', 'Records that a newer generation replaced the one this execution was started for.', {
      parameters: {
        ...from('change', 'execution'),
        report: { phase: 'superseded', 'latestGeneration.$': '$.group.latestGeneration' },
      },
      resultPath: null,
      next: 'Superseded By A Newer Generation',
      bestEffort: true,
    }),
    succeed('Superseded By A Newer Generation', 'Nothing more applied: the execution for the newer generation does it.'),
    succeed('Stopped: Group Is Being Deleted', 'Nothing more applied: the delete workflow owns the group now.'),
    succeed('Stopped: Group No Longer Exists', 'Nothing applied: the object was deleted or recreated meanwhile.'),
  ];
}

/** A delete re-reads its group, does nothing for a stale event, and reports Deleting before `next`. */
export function readGroupForDelete(next: string): State[] {
  return [
    readGroup('Is The Group Being Deleted?', 'Re-reads the InstanceGroup from the cluster: only an object being deleted is deleted.'),
    choice(
      'Is The Group Being Deleted?',
      'A stale delete event for an object that is not being deleted does nothing.',
      [when('$.group.outcome', 'not-deleting', 'Stopped: Group Is Not Being Deleted')],
      'Report Deleting',
    ),
    succeed('Stopped: Group Is Not Being Deleted', 'Nothing deleted: the object has no deletion timestamp.'),
    task('Report Deleting', 'Status Deleting.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'deleting' } },
      resultPath: null,
      next,
    }),
  ];
}

/**
 * The EKS wait loop: EKS publishes no status events for node groups or Fargate profiles, so the machine looks again
 * after a growing interval until the resource settled, then decides again.
 */
export function eksWaitLoop(options: { resource: string; check: string; checkComment: string; decide: string }): State[] {
  return [
    choice(
      'Has EKS Finished?',
      `Back to deciding once EKS has finished with the ${options.resource}; otherwise wait and look again.`,
      [when('$.progress.settled', true, options.decide)],
      'Wait For EKS',
    ),
    wait('Wait For EKS', 'EKS publishes no status events: look again after a growing interval (5, 10, 20, then 30 s at most), counted by the progress checks.', '$.progress.waitSeconds', options.check),
    task(options.check, options.checkComment, {
      parameters: { ...from('change', 'execution', 'group', 'plan', 'progress'), maxPolls: 480 },
      resultPath: '$.progress',
      next: 'Has EKS Finished?',
    }),
  ];
}
