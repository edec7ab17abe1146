// The one table `npm run bench` prints: every figure of the run, one row each, with its median, its spread over
// the runs and the target it is held to.
import { PRICE_LINES, ASSUMPTIONS } from './cost.js';
import { createWaitsTable } from './create-waits.js';
import { powertoolsTable } from './powertools-cost.js';
import type { BenchResult, ThroughputFigure } from './format.js';
import type { WaitFigure } from './waits.js';
import type { StackWaitsFigure } from './stack-waits.js';
import { SCENARIO_LABELS } from './manifests.js';
import { nodeRows, type Row } from './nodes-table.js';
import type { Summary } from './stats.js';

const ms = (v: number) => `${Math.round(v)}`;
const spread = (s: Summary, f: (v: number) => string = ms, unit = ' ms') => (s.min === s.max ? '' : `${f(s.min)}–${f(s.max)}${unit}`);
const usd = (v: number) => (v >= 0.1 ? `$${v.toFixed(2)}` : v >= 0.001 ? `$${v.toFixed(3)}` : `$${v.toPrecision(2)}`);
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const thousands = (n: number) => n.toLocaleString('en-US');
/** "10", or "10 (9–11)" when the runs did not all agree. */
const count = (s: Summary) => (s.min === s.max ? `${s.median}` : `${s.median} (${s.min}–${s.max})`);

export function tableRows(r: BenchResult): Row[] {
  const rows: Row[] = [];
  for (const x of r.relay) {
    const subject = `${thousands(x.groups)} groups`;
    const at10k = x.groups >= 10_000;
    rows.push([
      'relay',
      subject,
      'memory after start-up / settled / peak',
      `${x.rssAfterStartupMb.toFixed(1)} / ${x.rssSettledMb.toFixed(1)} / ${x.rssPeakMb.toFixed(1)} MB`,
      `settled: files ${x.rssSettledFileMb.toFixed(1)}, anonymous ${x.rssSettledAnonMb.toFixed(1)} MB`,
      at10k ? `≤ 64 MB ${mark(Math.max(x.rssAfterStartupMb, x.rssSettledMb, x.rssPeakMb) <= 64)}` : '',
    ]);
    rows.push(['relay', subject, 'CPU per change (idle subtracted)', `${x.cpuPerChangeMs.toFixed(2)} ms`, `raw ${x.cpuPerChangeRawMs.toFixed(2)} ms`, '']);
    rows.push(['relay', subject, 'added latency p50 / p95', `${x.overheadP50Ms.toFixed(2)} / ${x.overheadP95Ms.toFixed(2)} ms`, `PutEvents p50 ${x.putEventsP50Ms.toFixed(0)} ms`, `p50 ≤ 5 ms ${mark(x.overheadP50Ms <= 5)}`]);
    rows.push(['relay', subject, 'events at start-up', `${x.eventsAtStartup}`, `start-up ${x.startupS.toFixed(1)} s`, `0 ${mark(x.eventsAtStartup === 0)}`]);
  }

  const cost = new Map(r.cost.per1000Changes.map((c) => [`${c.provisioner}/${c.scenario}`, c.usd]));
  for (const w of r.workflows) {
    const subject = `${w.provisioner} ${SCENARIO_LABELS[w.scenario]}`;
    rows.push([
      'workflow',
      subject,
      'transitions · Lambda (+start) · history events',
      `${count(w.transitions)} · ${count(w.lambdaInvocations)} (+${w.workflowStarts.median}) · ${count(w.historyEvents)}`,
      '',
      w.scenario === 'noop' ? `no AWS writes ${mark(w.awsWrites.max === 0)}` : '',
    ]);
    rows.push([
      'workflow',
      subject,
      'wall ms = kubectl + control plane + emulator',
      `${ms(w.wallMs.median)} = ${ms(w.kubectlMs.median)} + ${ms(w.controlPlaneMs.median)} + ${ms(w.emulatorMs.median)}`,
      spread(w.wallMs),
      '',
    ]);
    rows.push([
      'overhead',
      subject,
      w.scenario === 'delete' ? 'AWS resource gone → object gone' : 'AWS final state → Ready',
      `${ms(w.finalToReadyMs.median)} ms`,
      spread(w.finalToReadyMs),
      `≤ ${r.overhead.targetMs / 1000} s ${mark(w.finalToReadyMs.max <= r.overhead.targetMs)}`,
    ]);
    const c = cost.get(`${w.provisioner}/${w.scenario}`);
    if (c) rows.push(['cost', subject, 'per 1,000 changes', usd(c.total), `Step Functions ${usd(c.stepFunctions)}`, '']);
  }
  rows.push(['cost', 'idle month', `${r.cost.idleMonth.metrics} alarm metrics in ${r.cost.idleMonth.alarms} alarms`, usd(r.cost.idleMonth.usd), '', '']);

  for (const b of r.bundles) {
    rows.push([
      'bundle',
      b.function,
      'size · cold init',
      `${Math.round(b.bytes / 1024)} KB · ${ms(b.initMs.median)} ms`,
      spread(b.initMs),
      b.kubernetes ? 'reported (Kubernetes)' : `≤ 500 KB, < 150 ms ${mark(b.meetsTargets === true)}`,
    ]);
  }

  if (r.stackWaits) rows.push(...stackWaitRows(r.stackWaits));
  if (r.waits) rows.push(...waitRows(r.waits));
  rows.push(...throughputRows(r.throughput));
  rows.push(...nodeRows(r));
  return rows;
}

/** The throughput section (200 eks-cf groups in one kubectl apply, on a control plane without instance boots). */
export function throughputRows(t: ThroughputFigure): Row[] {
  const rows: Row[] = [];
  const subject = `${t.groups} ${t.provisioner} groups at once`;
  rows.push(['throughput', subject, 'kubectl apply → all Ready', `${t.allReadyS.toFixed(1)} s`, `each: p50 ${t.readyS.median.toFixed(1)} s, p90 ${t.readyS.p90.toFixed(1)} s`, `${t.lost} lost, ${t.duplicated} duplicated ${mark(t.lost === 0 && t.duplicated === 0)}`]);
  const resent = t.eventsPut - t.groups;
  rows.push(['throughput', subject, 'apply executions · stacks', `${t.executions} · ${t.stacks}`, '', `one per group ${mark(t.executions === t.groups && t.stacks === t.groups)}`]);
  rows.push([
    'throughput',
    subject,
    'events put · workflow starts',
    `${t.eventsPut} · ${t.workflowStarts}`,
    Object.entries(t.eventsByReason).map(([k, v]) => `${k} ${v}`).join(', '),
    resent > 0 ? `${resent} sent again, no execution twice ${mark(t.duplicated === 0)}` : '',
  ]);
  const retries = Object.entries(t.sdkRetries).map(([k, v]) => `${k} ${v}`).join(', ');
  rows.push(['throughput', subject, 'failed Lambda attempts · SDK-retried calls', `${t.failedLambdaAttempts} · ${Object.values(t.sdkRetries).reduce((a, b) => a + b, 0)}`, retries, '']);
  rows.push(['throughput', subject, 'moto busy: PutEvents · handler calls', `${t.putEventsBusyS.toFixed(1)} s · ${t.handlerCallsBusyS.toFixed(1)} s`, '', '']);
  return rows;
}

/** The event-driven stack wait: the stack settled → the group Ready, through the stack's status event. */
export function stackWaitRows(w: StackWaitsFigure): Row[] {
  return [['wait', `eks-cf create × ${w.runs}`, 'stack settled → Ready (by its status event)', `${ms(w.settledToReadyMs.median)} ms`, `p90 ${ms(w.settledToReadyMs.p90)} ms, ${spread(w.settledToReadyMs)}`, `≤ 2 s ${mark(w.settledToReadyMs.p90 <= 2000)}`]];
}

/** Per wait: how it ended (its event, its own look, the fallback, a timer) and how long it took, local time. */
export function waitRows(waits: WaitFigure[]): Row[] {
  return waits.map((w) => [
    'wait',
    `${w.workflow} ${w.state}`,
    w.kind === 'callback' ? `ended by ${w.endedBy} · entered → exited` : 'timer (shortened locally) · entered → exited',
    `${w.n} × ${ms(w.ms.median)} ms`,
    `p90 ${ms(w.ms.p90)} ms, max ${ms(w.ms.max)} ms`,
    w.kind === 'callback' ? `by event or own look ${mark(w.endedBy !== 'fallback')}` : '',
  ]);
}

/** "3 transitions + 1 invocation" when every workflow's loop is the same, else per workflow. */
function passes(r: BenchResult): string {
  const text = (l: { transitions: number; invocations: number }) => `${l.transitions} transitions + ${l.invocations} invocation${l.invocations === 1 ? '' : 's'}`;
  const distinct = [...new Set(r.overhead.pollLoops.map(text))];
  return distinct.length === 1 ? distinct[0]! : r.overhead.pollLoops.map((l) => `${l.workflow}: ${text(l)}`).join('; ');
}

/** The table's lines: header, rule, rows. */
export function tableLines(rows: Row[]): string[] {
  const header: Row = ['area', 'subject', 'figure', 'median', 'spread (min–max)', 'target'];
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((row) => [...row[i]!].length)));
  const pad = (s: string, w: number, right: boolean) => (right ? ' '.repeat(w - [...s].length) + s : s + ' '.repeat(w - [...s].length));
  const line = (row: Row) => `| ${row.map((c, i) => pad(c, widths[i]!, i === 3)).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(line)];
}

export function renderTable(r: BenchResult): string {
  const env = r.environment;
  const out = [
    `instance-manager benchmark ${r.startedAt} · node ${env.node} · ${env.cpuModel} ×${env.cpus} · load ${env.loadAverage1m.toFixed(2)} at start · git ${env.git.commit.slice(0, 10)}${env.git.dirty ? '+dirty' : ''}`,
    `${r.options.quick ? 'quick: ' : ''}${r.options.runs} runs per workflow scenario, ${r.options.bundleRuns} cold inits per bundle; medians, spread min–max; all measured in this run (${r.durationS.toFixed(0)} s)`,
    '',
    ...tableLines(tableRows(r)),
    '',
    `Prices: ${PRICE_LINES.join('; ')}.`,
    `Assumed as in docs/operations/cost.md (not measurable locally): ${ASSUMPTIONS.lambdaBilledMsPerInvocation} ms billed per Lambda invocation, ` +
      `${ASSUMPTIONS.logBytesPerInvocation / 1024} KB of logs per invocation, one trace per invocation and per execution; memory per function from serverless.yml. ` +
      'SQS: $0 per change (in AWS the rules invoke start-workflow; the queues are dead-letter queues).',
    `Local times: moto settles every resource at once and Wait states are shortened, so no poll pass runs here. In AWS each ` +
      `${r.overhead.pollIntervalS} s a resource is in progress adds one pass (${passes(r)}, ${usd(r.cost.perPollPassPer1000)} per 1,000 changes), ` +
      `and "final state → Ready" can grow by up to one poll interval (${r.overhead.pollIntervalS} s).`,
  ];
  if (r.createWaits?.length) out.push('', createWaitsTable(r.createWaits));
  if (r.powertools) out.push('', powertoolsTable(r.powertools.rows, r.powertools.function));
  return out.join('\n');
}
