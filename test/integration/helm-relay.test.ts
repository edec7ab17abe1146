// The relay's Helm chart as an operator installs it: `helm lint`, `helm template` piped to a server-side dry run on
// a real kube-apiserver for every values file under ci/, an install whose ServiceAccount gets exactly the relay's
// RBAC, values that are refused with the field named, and the kustomize base generated from the same chart.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTestBed, type TestBed } from '../../local/testbed/index.js';
import { CHART_DIR, helm, helmBinary, KUSTOMIZE_DIR, kustomizeBase, NAMESPACE, renderChart } from '../../scripts/relay-manifests.js';
import { kubectl, kubectlOk } from '../support/kubectl.js';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };

const CI = path.join(CHART_DIR, 'ci');
const ciValues = readdirSync(CI).filter((f) => f.endsWith('-values.yaml')).sort();
const CRD = path.resolve(new URL('../../infra/k8s/crd.yaml', import.meta.url).pathname);

let helmPath: string;
let bed: TestBed;
let admin: string;

function render(valuesFiles: string[], sets: string[] = []): Obj[] {
  const out = renderChart(valuesFiles, sets, helmPath);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Obj).filter(Boolean);
}
const byKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: Obj[], kind: string) => {
  const found = byKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

beforeAll(async () => {
  helmPath = helmBinary();
  bed = await startTestBed({ moto: false });
  admin = bed.kube!.kubeconfigPath;
  kubectlOk(admin, ['create', 'namespace', NAMESPACE]);
  kubectlOk(admin, ['apply', '-f', CRD]);
}, 1_800_000);

afterAll(async () => {
  await bed?.stop();
});

describe('helm chart infra/helm/instance-manager-relay', () => {
  it('has values files to check', () => {
    expect(ciValues).toEqual(expect.arrayContaining(['pod-identity-values.yaml', 'irsa-values.yaml', 'kustomize-base-values.yaml']));
  });

  it('passes helm lint --strict with each of them', () => {
    for (const f of ciValues) {
      const r = helm(['lint', '--strict', CHART_DIR, '-f', path.join(CI, f)], helmPath);
      expect({ f, code: r.code, out: r.code ? r.stdout + r.stderr : '' }).toEqual({ f, code: 0, out: '' });
    }
  });

  it('renders objects the API server accepts (server-side dry run), for each of them', () => {
    for (const f of ciValues) {
      const out = renderChart([path.join(CI, f)], [], helmPath);
      expect(out.code).toBe(0);
      const r = kubectl(admin, ['apply', '--dry-run=server', '-f', '-'], out.stdout);
      expect({ f, stderr: r.stderr.trim() }).toEqual({ f, stderr: '' });
      expect(r.stdout).toMatch(/deployment\.apps\/instance-manager-relay created \(server dry run\)/);
      expect(r.stdout).toMatch(/poddisruptionbudget\.policy\/instance-manager-relay created \(server dry run\)/);
      expect(r.stdout).toMatch(/networkpolicy\.networking\.k8s\.io\/instance-manager-relay created \(server dry run\)/);
      expect(r.stdout).toMatch(/service\/instance-manager-relay-metrics created \(server dry run\)/);
    }
  });

  it('uses EKS Pod Identity by default: no role annotation, egress to the node agent', () => {
    const objects = render([path.join(CI, 'pod-identity-values.yaml')]);
    expect(one(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    const egress = JSON.stringify(one(objects, 'NetworkPolicy').spec.egress);
    expect(egress).toContain('169.254.170.23/32');
    const container = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.image).toBe(
      '123456789012.dkr.ecr.us-west-2.amazonaws.com/instance-manager-relay@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    );
  });

  it('uses IRSA when asked: the role annotation on the ServiceAccount, no agent rule, the given CIDRs', () => {
    const objects = render([path.join(CI, 'irsa-values.yaml')]);
    expect(one(objects, 'ServiceAccount').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/instance-manager-relay',
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
    });
    const policy = one(objects, 'NetworkPolicy').spec;
    expect(JSON.stringify(policy.egress)).not.toContain('169.254.170.23');
    const cidrs = policy.egress.flatMap((rule: { to?: { ipBlock?: { cidr: string } }[] }) => (rule.to ?? []).map((t) => t.ipBlock?.cidr));
    expect(cidrs).toEqual(['10.0.0.0/16', '10.0.128.0/24']);
    const env = Object.fromEntries(
      one(objects, 'Deployment').spec.template.spec.containers[0].env.filter((e: { value?: string }) => 'value' in e).map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      CLUSTER_NAME: 'my-cluster',
      AWS_REGION: 'eu-central-1',
      EVENT_BUS_NAME: 'arn:aws:events:eu-central-1:123456789012:event-bus/instance-manager',
      WATCH_NAMESPACES: 'team-a,team-b',
      DEFAULT_SUBNETS: 'subnet-0123456789abcdef0',
    });
  });

  it('keeps the probes, a non-root user and a read-only root filesystem', () => {
    const pod = one(render([path.join(CI, 'pod-identity-values.yaml')]), 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('adds a ServiceMonitor on request that scrapes the metrics Service', () => {
    const objects = render([path.join(CI, 'pod-identity-values.yaml')], ['metrics.serviceMonitor.enabled=true']);
    const monitor = one(objects, 'ServiceMonitor');
    const service = one(objects, 'Service');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) expect(service.metadata.labels![k]).toBe(v);
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: service.spec.ports[0].name, path: '/metrics' });
    expect(byKind(render([path.join(CI, 'pod-identity-values.yaml')]), 'ServiceMonitor')).toHaveLength(0);
  });

  it('refuses incomplete or wrong values, naming the field and the fix', () => {
    const fails = (sets: string[], values = [path.join(CI, 'pod-identity-values.yaml')]) => {
      const r = renderChart(values, sets, helmPath);
      expect(r.code).not.toBe(0);
      return r.stderr;
    };
    expect(fails([], [])).toMatch(/image\.repository is required|clusterName is required|region is required/);
    expect(fails(['clusterName='])).toMatch(/clusterName is required: the EKS cluster this relay runs in/);
    expect(fails(['credentials.mode=irsa'])).toMatch(/credentials\.irsa\.roleArn is required when credentials\.mode is irsa/);
    // The values schema names the field as a JSON pointer.
    expect(fails(['credentials.mode=keys'])).toMatch(/\/credentials\/mode.*podIdentity.*irsa/);
    expect(fails(['image.digest=latest'])).toMatch(/\/image\/digest/);
    expect(fails(['region=oregon'])).toMatch(/\/region/);
  });

  it('grants its ServiceAccount exactly what the relay needs once installed', () => {
    const out = renderChart([path.join(CI, 'pod-identity-values.yaml')], [], helmPath);
    kubectlOk(admin, ['apply', '-f', '-'], out.stdout);
    const sa = `system:serviceaccount:${NAMESPACE}:instance-manager-relay`;
    const can = (...args: string[]) => kubectl(admin, ['auth', 'can-i', '--as', sa, ...args]).stdout.trim();
    const ig = 'instancegroups.instancemgr.keikoproj.io';
    for (const verb of ['get', 'list', 'watch', 'patch']) expect({ verb, can: can(verb, ig, '-A') }).toEqual({ verb, can: 'yes' });
    expect(can('create', 'events', '-n', 'team-a')).toBe('yes');
    expect(can('create', 'leases.coordination.k8s.io', '-n', NAMESPACE)).toBe('yes');
    expect(can('update', 'leases.coordination.k8s.io/instance-manager-relay', '-n', NAMESPACE)).toBe('yes');
    expect(can('update', 'leases.coordination.k8s.io/someone-else', '-n', NAMESPACE)).toBe('no');
    expect(can('update', 'leases.coordination.k8s.io/instance-manager-relay', '-n', 'kube-system')).toBe('no');
    expect(can('update', ig, '-A')).toBe('no');
    expect(can('delete', ig, '-A')).toBe('no');
    expect(can('patch', `${ig}/status`, '--subresource=status', '-A')).toBe('no');
    expect(can('get', 'secrets', '-n', NAMESPACE)).toBe('no');
    // Nodes: read-only list and watch, for the node-ready events (issue 17); never a write, not even get.
    expect(can('list', 'nodes')).toBe('yes');
    expect(can('watch', 'nodes')).toBe('yes');
    for (const verb of ['get', 'patch', 'update', 'delete']) expect({ verb, can: can(verb, 'nodes') }).toEqual({ verb, can: 'no' });
  });

  it('generates the kustomize base infra/k8s/relay: the files on disk are the chart rendered (npm run relay:manifests)', () => {
    const generated = kustomizeBase(helmPath);
    expect([...generated.keys()]).toEqual(expect.arrayContaining(['deployment.yaml', 'rbac.yaml', 'serviceaccount.yaml', 'pdb.yaml', 'service.yaml', 'networkpolicy.yaml']));
    for (const [name, text] of generated) expect({ name, text: readFileSync(path.join(KUSTOMIZE_DIR, name), 'utf8') }).toEqual({ name, text });
    const listed = readFileSync(path.join(KUSTOMIZE_DIR, 'kustomization.yaml'), 'utf8');
    for (const name of generated.keys()) expect(listed).toContain(`- ${name}`);
  });
});
