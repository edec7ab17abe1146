// The eks-cf-delete state machine; `npm run generate` writes statemachines/eks-cf-delete.asl.json from it.
import { callback, choice, from, machine, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_WHILE_DELETING } from './policies.js';

export default machine('eks-cf-delete', {
  comment: 'eks-cf delete: deletes the CloudFormation stack of one InstanceGroup, removes its node role from aws-auth when nothing else uses it, then releases the object.',
  timeoutSeconds: 14400,
  states: [
    start({ decisionLoop: false }),
    ...readGroupForDelete('Delete Stack'),
    task('Delete Stack', "Deletes the group's stack. A create still running is waited for first, an update in progress is cancelled (retried while the stack is busy).", {
      parameters: from('change', 'execution', 'group'),
      resultPath: '$.stack',
      next: 'Is The Stack Gone?',
      busy: BUSY_WHILE_DELETING,
    }),
    choice(
      'Is The Stack Gone?',
      'Loops through a wait until CloudFormation has deleted the stack.',
      [
        {
          Variable: '$.stack.awaitEarlierAppliesSeconds',
          IsPresent: true,
          Next: 'Wait For Earlier Applies',
        },
        when('$.stack.gone', true, 'Revoke Node Role'),
      ],
      'Wait For CloudFormation',
    ),
    wait('Wait For Earlier Applies', "No stack yet, but an apply step that began before the deletion could still create it: wait until no such step can still run (the step's Lambda timeout and a margin after deletionTimestamp), then delete again.", '$.stack.awaitEarlierAppliesSeconds', 'Delete Stack'),
    callback('Wait For CloudFormation', "Waits for CloudFormation's own stack status event (eks-cf-stack-event hands the token back); the function stores the token and returns it at once if the stack already settled. Fallback: after 60 s without an event, one check.", {
      payload: { ...from('change', 'execution', 'group', 'stack'), purpose: 'delete' },
      resultPath: '$.stackEvent',
      next: 'Check Stack Progress',
      timeoutSeconds: 60,
    }),
    task('Check Stack Progress', "Reads the stack status; fails with CloudFormation's own reason if the delete failed. Bounded: 240 checks (about 2 hours).", {
      parameters: { ...from('change', 'execution', 'group', 'stack'), purpose: 'delete', maxPolls: 240 },
      resultPath: '$.stack',
      next: 'Is The Stack Gone?',
    }),
    task('Revoke Node Role', "Removes the node role's access entry or aws-auth mapping only if no other InstanceGroup uses it and instance-manager made it.", {
      parameters: from('change', 'execution', 'group', 'stack'),
      resultPath: '$.awsAuth',
      next: 'Report Deleted',
    }),
    task('Report Deleted', 'Releases the object: removes the finalizer so Kubernetes can delete it.', {
      parameters: { ...from('change', 'execution'), report: { phase: 'deleted' } },
      resultPath: null,
      next: 'Deleted',
    }),
    succeed('Deleted', 'The AWS resources are gone and the object is released.'),
  ],
});
