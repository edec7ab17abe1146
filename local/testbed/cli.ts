// Starts the test bed and keeps it up until Ctrl-C:
//   npx tsx local/testbed/cli.ts [--no-kube] [--no-moto] [--kwok] [--controller-manager] [--scheduler]
import { startTestBed } from './index.js';

const args = new Set(process.argv.slice(2));
if (args.has('-h') || args.has('--help')) {
  console.log('usage: npx tsx local/testbed/cli.ts [--no-kube] [--no-moto] [--kwok] [--controller-manager] [--scheduler]');
  process.exit(0);
}

let stopping = false;
const bed = await startTestBed({
  kube: !args.has('--no-kube'),
  moto: !args.has('--no-moto'),
  kwok: args.has('--kwok'),
  controllerManager: args.has('--controller-manager'),
  scheduler: args.has('--scheduler'),
  log: (line) => console.error(line),
}).catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});

const out: string[] = [];
if (bed.kube) {
  out.push(`kubeconfig: ${bed.kube.kubeconfigPath}`);
  for (const id of bed.kube.identities.filter((i) => i !== 'admin')) out.push(`kubeconfig[${id}]: ${bed.kube.kubeconfigFor(id)}`);
  out.push(`apiserver: ${bed.kube.url}`);
}
if (bed.moto) out.push(`moto: ${bed.moto.url}`);
out.push(`runDir: ${bed.runDir}`);
out.push(`pids: ${bed.processes.map((p) => `${p.name}=${p.pid}`).join(' ')}`);
out.push(`ready in ${bed.timings.totalMs} ms; Ctrl-C to stop`);
console.log(out.join('\n'));

const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) {
    console.error(`[testbed] ${signal} again: exiting now`);
    process.exit(130); // the process module's exit handler SIGKILLs what is left
  }
  stopping = true;
  console.error(`[testbed] ${signal}: stopping`);
  bed.stop().then(
    () => {
      console.error(`[testbed] stopped in ${bed.timings.stopMs} ms; logs kept in ${bed.runDir}`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
};
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, shutdown);
// Keep the event loop alive (children are unref'd).
setInterval(() => {}, 1 << 30);
