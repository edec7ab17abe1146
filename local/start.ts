// `npm start`: the whole control plane on this machine, with the reference samples as a demo.
//   npm start                      embedded kube-apiserver
//   npm start -- --use-kubeconfig  the cluster KUBECONFIG points at (the CRD and RBAC are applied there)
//   npm start -- --no-demo         skip applying the samples
// Components log JSON at warning level; LOG_LEVEL=info npm start shows every step.
import './quiet-logs.js';
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { kubectl } from './kubectl.js';
import { applyDemo, watchUntilSettled } from './demo.js';

const { values } = parseArgs({
  options: { 'use-kubeconfig': { type: 'boolean' }, 'no-demo': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm start [-- --use-kubeconfig] [-- --no-demo]');
  process.exit(0);
}
if (values['use-kubeconfig'] && !process.env.KUBECONFIG) {
  console.error('--use-kubeconfig needs KUBECONFIG to point at the cluster to use');
  process.exit(2);
}

const started = Date.now();
const step = (line: string) => console.log(`• ${line}`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

let plane: ControlPlane | undefined;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the relay, the dispatcher, the runtime and the test bed…`);
  await plane?.stop();
  console.log('stopped; nothing left running.');
  process.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));

try {
  plane = await startControlPlane({
    ...(values['use-kubeconfig'] ? { kubeconfig: process.env.KUBECONFIG! } : {}),
    progress: step,
  });
  console.log(`\ncontrol plane ready in ${elapsed()}`);
  console.log(`  kubeconfig       ${plane.kubeconfigPath}`);
  console.log(`  emulated AWS     ${plane.motoUrl}`);
  console.log(`  Step Functions   ${plane.stepFunctionsUrl}   (aws stepfunctions list-executions --endpoint-url …)`);

  if (!values['no-demo'] && plane.account) {
    console.log('\napplying the reference samples:');
    const groups = applyDemo(plane.kubeconfigPath, plane.account);
    for (const g of groups) console.log(`  ${g.namespace}/${g.name}: ${g.note}`);
    console.log('');
    const settled = await watchUntilSettled(plane.kubeconfigPath, groups, (s) => {
      const detail = s.state === 'Error' ? ` (${s.reason}: ${s.message})` : s.groupName ? ` (group ${s.groupName})` : '';
      console.log(`  [${elapsed()}] ${s.namespace}/${s.name} → ${s.state}${detail}`);
    });
    const ready = settled.filter((s) => s.state === 'Ready').length;
    console.log(`\n${ready} of ${settled.length} sample groups are Ready.`);
    if (plane.instanceBoots) {
      // The eks-cf sample's instance booted and joined as a Node (local/instances/, emulation: docs/emulation.md).
      console.log(`\nkubectl get nodes:\n${kubectl(plane.kubeconfigPath, ['get', 'nodes']).trimEnd().replace(/^/gm, '  ')}`);
    }
  }

  console.log(`
Try it:
  export KUBECONFIG=${plane.kubeconfigPath}
  kubectl get instancegroups -A
  kubectl get nodes
  kubectl describe instancegroup hello-world -n demo-eks-cf
  kubectl apply -f your-group.yaml

Inspect and replay workflows with imctl (or the AWS CLI, with --endpoint-url):
  export AWS_ENDPOINT_URL=${plane.motoUrl} AWS_ENDPOINT_URL_SFN=${plane.stepFunctionsUrl}
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=${process.env.AWS_REGION} AWS_DEFAULT_REGION=${process.env.AWS_REGION}
  npm run -s imctl -- status -A
  npm run -s imctl -- executions demo-eks-cf/hello-world
${plane.account ? `
The emulated account has subnets ${plane.account.subnetIds.join(', ')},
security group ${plane.account.securityGroupId}, image ${plane.account.imageId}, key pair ${plane.account.keyPairName}
and the EKS clusters ${plane.account.clusterNames.join(', ')}.` : ''}

Ctrl-C stops everything.`);
  setInterval(() => {}, 1 << 30);
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  await plane?.stop();
  process.exit(1);
}
