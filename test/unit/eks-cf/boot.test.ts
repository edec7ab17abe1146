import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { normalizeSpec } from '../../../core/spec/normalize.js';
import type { EksCfSpec } from '../../../core/spec/types.js';
import { nodeConfig } from '../../../functions/eks-cf/boot/al2023.js';
import { clusterDnsIp, clusterFacts, kubeletSettings, renderUserData, usesAccessEntries, type BootInput } from '../../../functions/eks-cf/boot/index.js';
import { loadManifest, REFERENCE_SAMPLES } from '../../support/fixtures.js';

const group = { clusterName: 'my-eks-cluster', namespace: 'team-a', name: 'hello-world' };
const cluster = {
  name: 'my-eks-cluster',
  endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
  certificateAuthority: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t',
  serviceCidr: '10.100.0.0/16',
  version: '1.31',
  authenticationMode: 'API_AND_CONFIG_MAP',
};
const specWith = (config: Record<string, unknown>) => {
  const raw = loadManifest(REFERENCE_SAMPLES.eksCf).spec;
  Object.assign(raw['eks-cf']!.configuration, config);
  return normalizeSpec(raw) as EksCfSpec;
};
/** The reference sample's bootstrapArguments plus structured fields. */
const spec = specWith({
  nodeLabels: { team: 'a' },
  taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }],
  maxPods: 58,
  bootstrapArguments: '--register-with-taints=my-taint-key=my-taint-value:NoSchedule --node-labels=my-label=true --v=2',
});
const input = (extra: Partial<BootInput> = {}): BootInput => ({ cluster, kubelet: kubeletSettings(group, spec), ...extra });
const signal = { stackName: 'my-stack', resource: 'NodeGroup', region: 'eu-central-1' };

/** The MIME parts of a multi-part user data: content type → body. */
function mimeParts(text: string): Record<string, string> {
  const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
  const out: Record<string, string> = {};
  for (const chunk of text.split(`--${boundary}`).slice(1, -1)) {
    const [head, ...body] = chunk.replace(/^\n/, '').split('\n\n');
    out[/Content-Type: ([^;\n]+)/.exec(head!)![1]!] = body.join('\n\n');
  }
  return out;
}

describe('kubelet settings', () => {
  it('merge the group labels, bootstrapArguments and the structured fields (structured wins)', () => {
    const k = kubeletSettings(group, spec);
    expect(k.labels).toEqual({
      'my-label': 'true',
      team: 'a',
      'instancemgr.keikoproj.io/namespace': 'team-a',
      'instancemgr.keikoproj.io/instancegroup': 'hello-world',
    });
    expect(k.taints).toEqual([
      { key: 'my-taint-key', value: 'my-taint-value', effect: 'NoSchedule' },
      { key: 'gpu', value: 'true', effect: 'NoSchedule' },
    ]);
    expect([k.maxPods, k.extraFlags]).toEqual([58, ['--v=2']]);
    expect(kubeletSettings(group, specWith({ bootstrapArguments: '--max-pods=11' })).maxPods).toBe(11);
  });
});

describe('AL2023: nodeadm NodeConfig in MIME multi-part user data', () => {
  it('carries the cluster facts from DescribeCluster and the kubelet settings', () => {
    const text = renderUserData('al2023', input());
    expect(text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=')).toBe(true);
    const parts = mimeParts(text);
    expect(Object.keys(parts)).toEqual(['application/node.eks.aws']);
    const doc = parseYaml(parts['application/node.eks.aws']!);
    expect(doc).toEqual(nodeConfig(input()));
    expect(doc).toMatchObject({
      apiVersion: 'node.eks.aws/v1alpha1',
      kind: 'NodeConfig',
      spec: {
        cluster: { name: 'my-eks-cluster', apiServerEndpoint: cluster.endpoint, certificateAuthority: cluster.certificateAuthority, cidr: '10.100.0.0/16' },
        kubelet: {
          config: { maxPods: 58, registerWithTaints: [{ key: 'my-taint-key', value: 'my-taint-value', effect: 'NoSchedule' }, { key: 'gpu', value: 'true', effect: 'NoSchedule' }] },
          flags: [
            '--node-labels=instancemgr.keikoproj.io/instancegroup=hello-world,instancemgr.keikoproj.io/namespace=team-a,my-label=true,team=a',
            '--v=2',
          ],
        },
      },
    });
  });

  it('adds a shell part that sends cfn-signal to the stack\'s own region when the roll waits for signals', () => {
    const parts = mimeParts(renderUserData('al2023', input({ signal })));
    expect(Object.keys(parts)).toEqual(['application/node.eks.aws', 'text/x-shellscript']);
    const script = parts['text/x-shellscript']!;
    expect(script).toContain("--stack 'my-stack' --resource 'NodeGroup' --region 'eu-central-1'");
    expect(script).not.toContain('169.254.169.254');
  });
});

describe('Bottlerocket: TOML settings', () => {
  it('sets the cluster, DNS IP, max pods, labels and taints', () => {
    const settings = parseToml(renderUserData('bottlerocket', input({ signal }))) as any;
    expect(settings.settings.kubernetes).toEqual({
      'cluster-name': 'my-eks-cluster',
      'api-server': cluster.endpoint,
      'cluster-certificate': cluster.certificateAuthority,
      'cluster-dns-ip': '10.100.0.10',
      'max-pods': 58,
      'node-labels': {
        'my-label': 'true',
        team: 'a',
        'instancemgr.keikoproj.io/namespace': 'team-a',
        'instancemgr.keikoproj.io/instancegroup': 'hello-world',
      },
      'node-taints': { 'my-taint-key': ['my-taint-value:NoSchedule'], gpu: ['true:NoSchedule'] },
    });
    expect(settings.settings.cloudformation).toEqual({ 'should-signal': true, 'stack-name': 'my-stack', 'logical-resource-id': 'NodeGroup' });
  });
});

describe('AL2: bootstrap.sh', () => {
  it('passes the endpoint, CA, DNS IP and only validated kubelet flags, each single-quoted', () => {
    const script = renderUserData('al2', input({ signal }));
    const lines = script.trim().split('\n');
    expect(lines[0]).toBe('#!/bin/bash');
    expect(lines[2]).toBe(
      "/etc/eks/bootstrap.sh 'my-eks-cluster' --apiserver-endpoint 'https://ABC.gr7.us-west-2.eks.amazonaws.com' " +
        "--b64-cluster-ca 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' --dns-cluster-ip '10.100.0.10' --use-max-pods false " +
        "--kubelet-extra-args '--node-labels=instancemgr.keikoproj.io/instancegroup=hello-world,instancemgr.keikoproj.io/namespace=team-a,my-label=true,team=a " +
        "--register-with-taints=my-taint-key=my-taint-value:NoSchedule,gpu=true:NoSchedule --max-pods=58 --v=2'",
    );
    expect(lines[3]).toBe("/opt/aws/bin/cfn-signal --exit-code $? --stack 'my-stack' --resource 'NodeGroup' --region 'eu-central-1'");
    expect(script).not.toContain('169.254.169.254');
  });

  it('no line of any family can be broken by a value: the spec refuses quotes and newlines before rendering', () => {
    expect(() => specWith({ bootstrapArguments: "--v=2'\nExecStartPre=/bin/sh -c 'id'" })).toThrow(/bootstrapArguments/);
    for (const family of ['al2023', 'bottlerocket', 'al2'] as const) {
      expect(renderUserData(family, input())).not.toMatch(/ExecStart/);
    }
  });
});

describe('cluster facts', () => {
  it('read DescribeCluster, with EKS defaults where a field is missing', () => {
    expect(clusterFacts({ name: 'c', endpoint: 'https://e', certificateAuthority: { data: 'Q0E=' }, version: '1.30' })).toEqual({
      name: 'c',
      endpoint: 'https://e',
      certificateAuthority: 'Q0E=',
      serviceCidr: '10.100.0.0/16',
      version: '1.30',
      authenticationMode: 'CONFIG_MAP',
    });
    expect(clusterDnsIp('172.20.0.0/16')).toBe('172.20.0.10');
    expect(clusterDnsIp('10.100.0.0/16')).toBe('10.100.0.10');
    expect(usesAccessEntries({ authenticationMode: 'API' })).toBe(true);
    expect(usesAccessEntries({ authenticationMode: 'API_AND_CONFIG_MAP' })).toBe(true);
    expect(usesAccessEntries({ authenticationMode: 'CONFIG_MAP' })).toBe(false);
  });
});
