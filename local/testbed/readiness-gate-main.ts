// The readiness gate's process (readiness-gate.ts): GATE_PORT in front of kube-apiserver on BACKEND_PORT, open from
// the start; SIGUSR1 shuts it, SIGUSR2 opens it, SIGTERM ends it.
import { startPassThrough } from './tcp-pass-through.js';

const port = Number(process.env.GATE_PORT);
const backendPort = Number(process.env.BACKEND_PORT);
if (!port || !backendPort) {
  console.error('GATE_PORT and BACKEND_PORT must name ports');
  process.exit(2);
}
let queue: Promise<unknown> = Promise.resolve();
const then = (step: () => unknown) => (queue = queue.then(step).catch((error: unknown) => console.error(`readiness gate: ${String(error)}`)));
process.on('SIGUSR1', () => then(() => gate.shut()));
process.on('SIGUSR2', () => then(() => gate.open()));
process.on('SIGTERM', () => {
  gate.close();
  process.exit(0);
});
const gate = await startPassThrough(port, { host: '127.0.0.1', port: backendPort });
console.log(JSON.stringify({ msg: 'readiness gate listening', port, backendPort }));
// A shut gate holds no socket: keep the process up for the signal that opens it again.
setInterval(() => {}, 1 << 30);
