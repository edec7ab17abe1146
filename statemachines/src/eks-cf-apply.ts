// The eks-cf-apply state machine; `npm run generate` writes statemachines/eks-cf-apply.asl.json from it.
import { callback, choice, fail, from, machine, map, pass, succeed, task, wait, when } from './kit/index.js';
import { eksWaitLoop, readGroupForApply, readGroupForDelete, start } from './fragments.js';
import { BUSY_WHILE_CHANGING } from './policies.js';

export default machine('eks-cf-apply', {
  comment: 'eks-cf apply: creates or updates the CloudFormation stack of one InstanceGroup (self-managed nodes in an Auto Scaling group), authorises its node role in the target cluster, waits until the instances are Ready nodes, and reports status on the object.',
  timeoutSeconds: 14400,
  states: [
    start({ decisionLoop: false }),
    ...readGroupForApply(),
    task('Report Started', 'Status ReconcileModifying, with the requested min and max so they show at once.', {
      parameters: {
        ...from('change', 'execution'),
        report: {
          phase: 'started',
          observed: {
            'currentMin.$': '$.group.spec.minSize',
            'currentMax.$': '$.group.spec.maxSize',
            'stackName.$': '$.group.stackName',
          },
        },
      },
      resultPath: null,
      next: 'Check AWS References',
    }),
    task('Check AWS References', 'Pre-flight: the EKS cluster, subnets, security groups, key pair, image and role the spec names must exist. Nothing is created otherwise.', {
      parameters: from('change', 'execution', 'group'),
      resultPath: '$.references',
      next: 'Create Or Update Stack',
    }),
    task('Create Or Update Stack', 'Renders the CloudFormation template; creates the stack, updates it only when the template or tags changed, or clears a stack state that blocks the change (retried while the stack is busy).', {
      parameters: from('change', 'execution', 'group', 'references'),
      resultPath: '$.stack',
      next: 'Is The Stack Ready?',
      busy: BUSY_WHILE_CHANGING,
      noLongerWanted: 'Stopped: No Longer Wanted',
    }),
    choice(
      'Is The Stack Ready?',
      'Loops through a wait until CloudFormation has finished.',
      [
        when('$.stack.gone', true, 'Stopped: Group Is Being Deleted'),
        when('$.stack.settled', true, 'Authorize Node Role'),
      ],
      'Wait For CloudFormation',
    ),
    callback('Wait For CloudFormation', "Waits for CloudFormation's own stack status event (eks-cf-stack-event hands the token back); the function stores the token and returns it at once if the stack already settled. Fallback: after 60 s without an event, one check.", {
      payload: { ...from('change', 'execution', 'group', 'stack'), purpose: 'apply' },
      resultPath: '$.stackEvent',
      next: 'Check Stack Progress',
      timeoutSeconds: 60,
    }),
    task('Check Stack Progress', "Reads the stack status; fails with CloudFormation's own reason if it rolled back. Bounded: 240 checks (about 2 hours).", {
      parameters: { ...from('change', 'execution', 'group', 'stack'), purpose: 'apply', maxPolls: 240 },
      resultPath: '$.stack',
      next: 'Is The Stack Ready?',
    }),
    task('Authorize Node Role', 'Lets the nodes join the cluster the spec names: an EC2_LINUX access entry where its authentication mode includes API, a kube-system/aws-auth mapping otherwise; other entries are never changed.', {
      parameters: from('change', 'execution', 'group', 'stack'),
      resultPath: '$.awsAuth',
      next: 'Plan Rotation',
    }),
    pass('Start Counting Nodes', 'The node join wait starts: no look yet.', {
      result: { polls: 0 },
      resultPath: '$.nodes',
      next: 'Check Nodes',
    }),
    task('Check Nodes', "Counts the Auto Scaling group's instances that are registered Nodes (providerID aws:///<zone>/<instance-id>) of the target cluster and Ready, and labels them node-role.kubernetes.io/<group name> plus the group's namespace and name. Bounded: 15 minutes in all.", {
      parameters: {
        ...from('change', 'execution', 'group', 'stack', 'references', 'nodes'),
        maxWaitSeconds: 900,
      },
      resultPath: '$.nodes',
      next: 'Have The Nodes Joined?',
    }),
    choice(
      'Have The Nodes Joined?',
      'Ready only once every desired instance is a Ready node; past the bound, the group ends in Error.',
      [
        when('$.nodes.joined', true, 'Report Ready'),
        when('$.nodes.timedOut', true, 'Report Nodes Not Joined'),
      ],
      'Wait For Nodes To Join',
    ),
    callback('Wait For Nodes To Join', "Waits for the relay's node-ready event of one of the group's Nodes (eks-cf-node-event hands the token back); the function stores the token and returns it at once if every node is already Ready. Fallback: after 30 s without an event, one check.", {
      payload: from('change', 'execution', 'group', 'stack'),
      resultPath: '$.nodeEvent',
      next: 'Check Nodes',
      timeoutSeconds: 30,
    }),
    task('Report Nodes Not Joined', 'Status Error with NodesReady False: how many nodes joined and what to check.', {
      parameters: {
        ...from('change', 'execution'),
        report: {
          phase: 'failed',
          reason: 'NodesNotJoined',
          'message.$': '$.nodes.message',
          step: 'Check Nodes',
          retryable: false,
          'observed.$': '$.nodes.observed',
          'nodes.$': '$.nodes.count',
        },
      },
      resultPath: null,
      next: 'Nodes Did Not Join',
      bestEffort: true,
    }),
    fail('Nodes Did Not Join', { comment: 'The AWS side is in place but the nodes did not join within the bound; the status says how many did.', error: 'NodesNotJoinedError', cause: '$.nodes.message' }),
    task('Report Ready', 'Status Ready, with the Auto Scaling group, launch template, node role, stack, image and node counts, and the NodesReady condition.', {
      parameters: {
        ...from('change', 'execution'),
        report: { phase: 'ready', 'observed.$': '$.nodes.observed', 'nodes.$': '$.nodes.count' },
      },
      resultPath: null,
      next: 'Ready',
    }),
    succeed('Ready', 'The group matches its spec.'),
    succeed('Stopped: No Longer Wanted', "Nothing changed: right before changing AWS, the group had a newer generation, was being deleted or was gone (or AWS held a newer generation's work)."),
    task('Plan Rotation', "Finds the instances launched from an older launch template version than the group's latest and splits them into batches of maxUnavailable; CloudFormation only moved the launch template.", {
      parameters: from('change', 'execution', 'group', 'stack'),
      resultPath: '$.rotation',
      next: 'Is A Rotation Needed?',
    }),
    choice(
      'Is A Rotation Needed?',
      'Outdated nodes are rotated unless the upgrade-locked annotation holds them (scaling still applied).',
      [
        {
          And: [
            { Variable: '$.rotation.needed', BooleanEquals: true },
            { Variable: '$.rotation.held', BooleanEquals: false },
          ],
          Next: 'Rotate Outdated Nodes',
        },
        {
          And: [
            { Variable: '$.rotation.needed', BooleanEquals: true },
            { Variable: '$.rotation.held', BooleanEquals: true },
          ],
          Next: 'Report Upgrade Held',
        },
      ],
      'Start Counting Nodes',
    ),
    map('Rotate Outdated Nodes', 'One iteration per batch, one batch at a time: surge, wait for Ready replacements, cordon and drain, terminate.', {
      itemsPath: '$.rotation.batches',
      maxConcurrency: 1,
      parameters: {
        'change.$': '$.change',
        'execution.$': '$.execution',
        'clusterName.$': '$.rotation.clusterName',
        'scalingGroupName.$': '$.rotation.scalingGroupName',
        'settings.$': '$.rotation.settings',
        'batch.$': '$$.Map.Item.Value',
        replacements: { polls: 0 },
        drain: { polls: 0 },
      },
      iterator: {
        states: [
          task('Start Batch', 'Stops at this clean point if a newer generation arrived; else launches replacements ahead of the drain where maxSize leaves room (surge).', {
            parameters: from('change', 'execution', 'clusterName', 'scalingGroupName', 'settings', 'batch'),
            resultPath: '$.start',
            next: 'Is The Batch Still Wanted?',
          }),
          choice(
            'Is The Batch Still Wanted?',
            'A newer generation, or instances already gone, end the batch before anything is cordoned.',
            [
              when('$.start.skip', true, 'Batch Skipped'),
            ],
            'Check Replacement Nodes',
          ),
          succeed('Batch Skipped', 'Nothing cordoned, nothing terminated.'),
          task('Check Replacement Nodes', 'Every instance the group should have is a Ready node: the replacements (surged, or launched for the previous batch) joined. Bounded: 15 minutes.', {
            parameters: from('change', 'execution', 'clusterName', 'scalingGroupName', 'settings', 'batch', 'replacements'),
            resultPath: '$.replacements',
            next: 'Are The Replacements Ready?',
          }),
          choice(
            'Are The Replacements Ready?',
            'Old nodes are drained only once their replacements can take the pods.',
            [
              when('$.replacements.ready', true, 'Cordon And Drain'),
              when('$.replacements.timedOut', true, 'Replacements Did Not Join'),
            ],
            'Wait For Replacements',
          ),
          callback('Wait For Replacements', "Waits for the relay's node-ready event of one of the group's Nodes (eks-cf-node-event hands the token back); the function stores the token and returns it at once if the replacements are already Ready. Fallback: after 30 s without an event, one check.", {
            payload: from('change', 'execution', 'clusterName', 'scalingGroupName', 'settings', 'batch', 'replacements'),
            resultPath: '$.replacementEvent',
            next: 'Check Replacement Nodes',
            timeoutSeconds: 30,
          }),
          fail('Replacements Did Not Join', { comment: 'Nothing was cordoned: the old nodes still serve.', error: 'NodesNotJoinedError', cause: '$.replacements.message' }),
          task('Cordon And Drain', "Cordons the batch's nodes and evicts their pods through the Eviction API (policy/v1); DaemonSet and mirror pods stay; grace periods are honoured. A PodDisruptionBudget that refuses (429) is waited for, up to drainTimeout.", {
            parameters: from('change', 'execution', 'clusterName', 'scalingGroupName', 'settings', 'batch', 'start', 'drain'),
            resultPath: '$.drain',
            next: 'Is The Batch Drained?',
            timeoutSeconds: 150,
          }),
          choice(
            'Is The Batch Drained?',
            'Drained: terminate. Stopped at drainTimeout: fail, nodes uncordoned. Newer generation: abandon, nodes uncordoned.',
            [
              when('$.drain.drained', true, 'Terminate Drained Instances'),
              when('$.drain.stopped', true, 'Rotation Stopped'),
              when('$.drain.abandoned', true, 'Batch Abandoned'),
            ],
            'Wait Before Evicting Again',
          ),
          wait('Wait Before Evicting Again', 'Pods are terminating or a budget holds; evict again after 2, 4, 8, then every 15 seconds.', '$.drain.nextWaitSeconds', 'Cordon And Drain'),
          fail('Rotation Stopped', { comment: "A PodDisruptionBudget held past drainTimeout (drainTimeoutAction stop); the cause names the pod and the budget. The batch's nodes were uncordoned.", error: 'RotationBlockedError', cause: '$.drain.message' }),
          succeed('Batch Abandoned', "A newer generation arrived mid-drain; the batch's nodes were uncordoned and nothing terminated."),
          task('Terminate Drained Instances', 'Terminates the drained instances: surged ones give their capacity back, the others are replaced by the group. Records the progress as an Event.', {
            parameters: from('change', 'execution', 'clusterName', 'scalingGroupName', 'settings', 'batch', 'start'),
            resultPath: '$.terminated',
            next: 'Pause After Batch',
          }),
          wait('Pause After Batch', 'strategy.rollingUpdate.pauseTime between batches.', '$.settings.pauseSeconds', 'Batch Done'),
          succeed('Batch Done', "The batch's nodes are replaced."),
        ],
      },
      resultPath: null,
      next: 'Start Counting Nodes',
    }),
    task('Report Upgrade Held', 'Status Ready with Degraded UpgradeHeld: the stack (and scaling) is applied, the outdated nodes wait until the upgrade-locked annotation is removed; the relay then forwards the group again.', {
      parameters: {
        ...from('change', 'execution'),
        report: {
          phase: 'ready',
          'observed.$': '$.stack.observed',
          'message.$': '$.rotation.heldMessage',
          degraded: { reason: 'UpgradeHeld', 'message.$': '$.rotation.heldMessage' },
        },
      },
      resultPath: null,
      next: 'Upgrade Held',
    }),
    succeed('Upgrade Held', 'Held by instancemgr.keikoproj.io/upgrade-locked; removing the annotation starts a new attempt that rotates.'),
  ],
});
