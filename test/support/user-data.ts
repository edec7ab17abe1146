// User data in the formats AWS documents for each EKS node image family, written here for tests from those
// documents (not from instance-manager's renderer): AL2023 nodeadm NodeConfig in MIME multi-part, Bottlerocket
// TOML settings, and an AL2 script calling /etc/eks/bootstrap.sh.

export interface ClusterCoordinates {
  name: string;
  endpoint: string;
  /** Base64, as DescribeCluster's certificateAuthority.data. */
  ca: string;
  /** Service CIDR, as DescribeCluster's kubernetesNetworkConfig.serviceIpv4Cidr. */
  cidr: string;
}

export interface NodeShape {
  labels?: Record<string, string>;
  /** key=value:Effect */
  taints?: string[];
  maxPods?: number;
}

const labelList = (labels: Record<string, string> = {}) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

export function al2023UserData(cluster: ClusterCoordinates, node: NodeShape = {}): string {
  const flags: string[] = [];
  if (node.labels && Object.keys(node.labels).length) flags.push(`--node-labels=${labelList(node.labels)}`);
  if (node.taints?.length) flags.push(`--register-with-taints=${node.taints.join(',')}`);
  return [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="BOUNDARY"',
    '',
    '--BOUNDARY',
    'Content-Type: application/node.eks.aws',
    '',
    '---',
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  cluster:',
    `    name: ${cluster.name}`,
    `    apiServerEndpoint: ${cluster.endpoint}`,
    `    certificateAuthority: ${cluster.ca}`,
    `    cidr: ${cluster.cidr}`,
    '  kubelet:',
    '    config:',
    ...(node.maxPods ? [`      maxPods: ${node.maxPods}`] : ['      {}']),
    ...(flags.length ? ['    flags:', ...flags.map((f) => `      - "${f}"`)] : []),
    '',
    '--BOUNDARY--',
    '',
  ].join('\n');
}

export function bottlerocketUserData(cluster: ClusterCoordinates, node: NodeShape = {}): string {
  const lines = [
    '[settings.kubernetes]',
    `cluster-name = "${cluster.name}"`,
    `api-server = "${cluster.endpoint}"`,
    `cluster-certificate = "${cluster.ca}"`,
  ];
  if (node.maxPods) lines.push(`max-pods = ${node.maxPods}`);
  if (node.labels) {
    lines.push('', '[settings.kubernetes.node-labels]');
    for (const [k, v] of Object.entries(node.labels)) lines.push(`"${k}" = "${v}"`);
  }
  if (node.taints?.length) {
    lines.push('', '[settings.kubernetes.node-taints]');
    for (const t of node.taints) {
      const [key, rest] = t.split('=', 2) as [string, string];
      lines.push(`"${key}" = "${rest}"`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** AL2: endpoint and CA are optional (bootstrap.sh then calls DescribeCluster). */
export function al2UserData(cluster: Pick<ClusterCoordinates, 'name'> & Partial<ClusterCoordinates>, node: NodeShape = {}): string {
  const kubelet: string[] = [];
  if (node.labels && Object.keys(node.labels).length) kubelet.push(`--node-labels=${labelList(node.labels)}`);
  if (node.taints?.length) kubelet.push(`--register-with-taints=${node.taints.join(',')}`);
  if (node.maxPods) kubelet.push(`--max-pods=${node.maxPods}`);
  const args = [`'${cluster.name}'`];
  if (cluster.endpoint) args.push('--apiserver-endpoint', `'${cluster.endpoint}'`);
  if (cluster.ca) args.push('--b64-cluster-ca', `'${cluster.ca}'`);
  if (node.maxPods) args.push('--use-max-pods', 'false');
  if (kubelet.length) args.push('--kubelet-extra-args', `'${kubelet.join(' ')}'`);
  return ['#!/bin/bash', 'set -o xtrace', `/etc/eks/bootstrap.sh ${args.join(' ')}`, ''].join('\n');
}
