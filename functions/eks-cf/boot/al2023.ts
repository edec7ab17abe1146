// Amazon Linux 2023 EKS images boot with nodeadm, which reads a NodeConfig document from a MIME part of type
// application/node.eks.aws (https://awslabs.github.io/amazon-eks-ami/nodeadm/). A shell part after it sends the
// cfn-signal when the rolling update waits for one.
import { stringify } from 'yaml';
import { labelList } from './kubelet.js';
import { shellQuote } from './shell.js';
import type { BootInput } from './types.js';

export const NODECONFIG_CONTENT_TYPE = 'application/node.eks.aws';
export const MIME_BOUNDARY = 'instancemgr-boundary';

export function nodeConfig(input: BootInput): Record<string, unknown> {
  const { cluster, kubelet } = input;
  // nodeadm derives the cluster DNS address from spec.cluster.cidr itself.
  const config: Record<string, unknown> = {};
  if (kubelet.maxPods !== undefined) config.maxPods = kubelet.maxPods;
  if (kubelet.taints.length) config.registerWithTaints = kubelet.taints.map((t) => ({ key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect }));
  return {
    apiVersion: 'node.eks.aws/v1alpha1',
    kind: 'NodeConfig',
    spec: {
      cluster: {
        name: cluster.name,
        apiServerEndpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority,
        cidr: cluster.serviceCidr,
      },
      kubelet: { config, flags: [`--node-labels=${labelList(kubelet.labels)}`, ...kubelet.extraFlags] },
    },
  };
}

function signalScript(signal: NonNullable<BootInput['signal']>): string {
  return [
    '#!/bin/bash',
    '# Tell CloudFormation whether this node came up: kubelet running within five minutes.',
    'for i in $(seq 1 60); do systemctl is-active --quiet kubelet && break; sleep 5; done',
    'systemctl is-active --quiet kubelet; rc=$?',
    'command -v /opt/aws/bin/cfn-signal >/dev/null || dnf install -y aws-cfn-bootstrap',
    `/opt/aws/bin/cfn-signal --exit-code "$rc" --stack ${shellQuote(signal.stackName)} --resource ${shellQuote(signal.resource)} --region ${shellQuote(signal.region)}`,
    '',
  ].join('\n');
}

function part(contentType: string, body: string): string {
  return `--${MIME_BOUNDARY}\nContent-Type: ${contentType}; charset="us-ascii"\n\n${body}`;
}

export function al2023UserData(input: BootInput): string {
  const parts = [part(NODECONFIG_CONTENT_TYPE, stringify(nodeConfig(input)))];
  if (input.signal) parts.push(part('text/x-shellscript', signalScript(input.signal)));
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
    '',
    ...parts,
    `--${MIME_BOUNDARY}--`,
    '',
  ].join('\n');
}
