// The Auto Scaling calls rotation makes, all of which moto implements: DescribeAutoScalingGroups,
// UpdateAutoScalingGroup, SetDesiredCapacity, TerminateInstanceInAutoScalingGroup; plus EC2 DescribeInstances and
// DescribeLaunchTemplates. Which version an instance runs comes from the aws:ec2launchtemplate:version tag EC2 puts
// on instances launched from a template (moto reports the group's version for every instance of a group).
import {
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { classifyError } from '../../../core/errors/index.js';
import type { ScalingGroupFacts } from './plan.js';

const VERSION_TAG = 'aws:ec2launchtemplate:version';
const LIVE = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

export interface RotationClients {
  autoscaling: AutoScalingClient;
  ec2: EC2Client;
}

async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw classifyError(error, what);
  }
}

/**
 * Reads the group, and points it at the launch template's latest version when it is not there yet. CloudFormation
 * does this itself on AWS; moto's CloudFormation leaves the group's version unchanged when only the template's
 * data changed (its resource diff compares the unresolved Fn::GetAtt), so the call is what makes it work locally.
 */
export async function readScalingGroup(clients: RotationClients, name: string): Promise<ScalingGroupFacts | undefined> {
  const { AutoScalingGroups } = await call(`Reading Auto Scaling group ${name}`, () =>
    clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
  );
  const group = AutoScalingGroups?.[0];
  if (!group?.LaunchTemplate?.LaunchTemplateId) return undefined;
  const templateId = group.LaunchTemplate.LaunchTemplateId;
  const { LaunchTemplates } = await call(`Reading launch template ${templateId}`, () =>
    clients.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [templateId] })),
  );
  const latest = String(LaunchTemplates?.[0]?.LatestVersionNumber ?? group.LaunchTemplate.Version);
  if (group.LaunchTemplate.Version !== latest) {
    await call(`Pointing Auto Scaling group ${name} at launch template version ${latest}`, () =>
      clients.autoscaling.send(
        new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateId: templateId, Version: latest } }),
      ),
    );
  }
  const live = (group.Instances ?? []).filter((i) => LIVE.has(String(i.LifecycleState)) && i.InstanceId);
  const versions = await instanceVersions(clients, live.map((i) => i.InstanceId!));
  return {
    name,
    desired: group.DesiredCapacity ?? live.length,
    maxSize: group.MaxSize ?? live.length,
    version: latest,
    instances: live.map((i) => ({ id: i.InstanceId!, zone: i.AvailabilityZone ?? '', version: versions.get(i.InstanceId!) })),
  };
}

async function instanceVersions(clients: RotationClients, ids: string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  if (!ids.length) return out;
  const { Reservations } = await call('Reading the group\'s instances', () => clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids })));
  for (const instance of (Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
    out.set(instance.InstanceId ?? '', instance.Tags?.find((t) => t.Key === VERSION_TAG)?.Value);
  }
  return out;
}

export async function setDesired(clients: RotationClients, name: string, desired: number): Promise<void> {
  await call(`Setting the desired capacity of ${name} to ${desired}`, () =>
    clients.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: desired, HonorCooldown: false })),
  );
}

/** Terminates drained instances; a surged batch gives its capacity back, otherwise the group launches replacements. */
export async function terminate(clients: RotationClients, ids: string[], decrement: boolean): Promise<void> {
  for (const id of ids) {
    try {
      await clients.autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: decrement }));
    } catch (error) {
      // Already gone (a retry of this step, or someone else terminated it): the goal is reached.
      if (/not found|ValidationError/i.test(String((error as Error).name) + String((error as Error).message))) continue;
      throw classifyError(error, `Terminating instance ${id}`);
    }
  }
}
