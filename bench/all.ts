// npm run bench [-- --quick] [-- --runs 5] [-- --groups 200] [-- --out bench/results] [-- --only nodes,rotation]
//
// One command that measures the whole system, on this machine, in this run: the relay at 1,000 and 10,000
// groups (bench/relay.ts), the Lambda bundles (bench/bundles.ts), then the whole control plane locally
// (local/control-plane.ts: real kube-apiserver, moto, the relay, EventBridge rules → SQS → dispatcher, the local
// Step Functions runtime with the real handlers): every provisioner through create, update, no-op re-apply and
// delete, `--runs` times each; eks-cf creates until their nodes join and a 4-node rotation (lib/nodes.ts; alone
// with `--only nodes,rotation`); then, with instance boots stopped, eks-cf stack waits resumed by the stack's event
// and 200 groups applied at once (`--only stack-waits,throughput`); and how each wait ended (lib/waits.ts). Prints one table and writes
// bench/results/<timestamp>.json and .svg, and latest.json / latest.svg. bench/README.md explains every figure
// and the JSON format.
//
// This file imports only node's own modules and the precondition checks: the benchmark proper (lib/run.ts) is
// loaded once they pass, so that a wrong Node version fails with a sentence rather than a stack trace.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkPreconditions, formatFailures } from './lib/preconditions.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    groups: { type: 'string', default: '200' },
    out: { type: 'string', default: path.join(REPO, 'bench', 'results') },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`usage: npm run bench [-- --quick] [-- --runs N] [-- --groups N] [-- --out DIR]
  --quick     relay at 1,000 groups only, 3 runs per scenario and 3 cold inits per bundle (2-3 minutes)
  --runs N    runs per workflow scenario (default 5; 3 with --quick)
  --groups N  InstanceGroups applied at once for the throughput figure (default 200)
  --out DIR   where the JSON and SVG go (default bench/results)
  --only nodes,rotation,stack-waits,throughput
              only those sections: eks-cf create until its nodes join (issue 11), a 4-node instance-type
              rotation (issue 12), on a control plane that boots instances; eks-cf creates whose stack wait is
              resumed by the stack's event, and --groups groups at once, on one that does not; with how each
              wait ended (issue 17); writes <time>-nodes.json (node sections only) or <time>-only.json`);
  process.exit(0);
}
const positive = (v: string | undefined, name: string, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${v}`);
    process.exit(2);
  }
  return n;
};
const quick = values.quick!;
const ONLY_SECTIONS = ['nodes', 'rotation', 'stack-waits', 'throughput'];
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
if (only && (!only.length || only.some((s) => !ONLY_SECTIONS.includes(s)))) {
  console.error(`--only takes a comma-separated list of ${ONLY_SECTIONS.join(', ')}, got ${values.only}`);
  process.exit(2);
}
const options = {
  repo: REPO,
  out: path.resolve(values.out!),
  quick,
  runs: positive(values.runs, 'runs', quick ? 3 : 5),
  groups: positive(values.groups, 'groups', 200),
  relaySizes: quick ? [1000] : [1000, 10000],
  relayChanges: 300,
  relayRate: 50,
  bundleRuns: quick ? 3 : 5,
  nodeRuns: quick ? 1 : 3,
  rotationRuns: 1,
  stackWaitRuns: quick ? 3 : 5,
  only,
  progress,
};

const checks = checkPreconditions(REPO);
if (checks.some((c) => !c.ok)) {
  console.error(formatFailures(checks));
  process.exit(2);
}
for (const c of checks) progress(`✓ ${c.what}: ${c.detail}`);

try {
  const { runBench } = await import('./lib/run.js');
  process.exit(await runBench(options));
} catch (error) {
  console.error(`\nnpm run bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
}
