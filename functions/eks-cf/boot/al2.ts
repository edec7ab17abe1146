// Amazon Linux 2 EKS images (no longer published for Kubernetes 1.33 and later) run /etc/eks/bootstrap.sh. Every
// value is passed as its own single-quoted word; kubelet's extra arguments come only from validated settings.
import { clusterDnsIp } from './cluster.js';
import { labelList, taintList } from './kubelet.js';
import { shellQuote } from './shell.js';
import type { BootInput } from './types.js';

export function kubeletExtraArgs(input: BootInput): string {
  const { kubelet } = input;
  return [
    `--node-labels=${labelList(kubelet.labels)}`,
    ...(kubelet.taints.length ? [`--register-with-taints=${taintList(kubelet.taints)}`] : []),
    ...(kubelet.maxPods !== undefined ? [`--max-pods=${kubelet.maxPods}`] : []),
    ...kubelet.extraFlags,
  ].join(' ');
}

export function al2UserData(input: BootInput): string {
  const { cluster, kubelet } = input;
  const args = [
    shellQuote(cluster.name),
    '--apiserver-endpoint', shellQuote(cluster.endpoint),
    '--b64-cluster-ca', shellQuote(cluster.certificateAuthority),
    '--dns-cluster-ip', shellQuote(clusterDnsIp(cluster.serviceCidr)),
    ...(kubelet.maxPods !== undefined ? ['--use-max-pods', 'false'] : []),
    '--kubelet-extra-args', shellQuote(kubeletExtraArgs(input)),
  ];
  const lines = ['#!/bin/bash', 'set -o xtrace', `/etc/eks/bootstrap.sh ${args.join(' ')}`];
  if (input.signal) {
    const { stackName, resource, region } = input.signal;
    lines.push(`/opt/aws/bin/cfn-signal --exit-code $? --stack ${shellQuote(stackName)} --resource ${shellQuote(resource)} --region ${shellQuote(region)}`);
  }
  return `${lines.join('\n')}\n`;
}
