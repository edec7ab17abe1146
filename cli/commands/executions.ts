// imctl executions <namespace>/<name>: the group's executions with status, failed state, error, cause and the
// console URL.
import type { GlobalOptions, GroupRefArg } from '../args.js';
import type { Deps } from '../clients.js';
import { fields, formatDuration, formatTime, structured, table, truncate } from '../format.js';
import { findWorkflows, groupExecutions, requireWorkflows, type ExecutionInfo } from '../lookup.js';

export function renderExecutions(group: string, executions: ExecutionInfo[], now: Date): string {
  if (!executions.length) return `No executions found for ${group}.`;
  const rows = executions.map((e) => [
    e.name,
    e.operation,
    String(e.generation),
    String(e.attempt),
    e.redriveCount ? `${e.status} (redriven ×${e.redriveCount})` : e.status,
    formatTime(e.startDate),
    formatDuration(e.startDate ? (e.stopDate ?? now).getTime() - e.startDate.getTime() : undefined),
    e.status === 'SUCCEEDED' ? '-' : e.status === 'RUNNING' ? `(at ${e.lastState?.name ?? '?'})` : (e.failedState ?? '-'),
    e.error ? truncate(e.error, 40) : '-',
  ]);
  const out = [table(['EXECUTION', 'OP', 'GEN', 'ATTEMPT', 'STATUS', 'STARTED', 'DURATION', 'FAILED STATE', 'ERROR'], rows)];
  for (const e of executions) {
    if (e.status === 'SUCCEEDED') continue;
    out.push(
      '',
      `${e.name}  ${e.status}`,
      fields([
        ['failed state', e.status === 'RUNNING' ? undefined : e.failedState],
        ['current state', e.status === 'RUNNING' ? e.lastState?.name : undefined],
        ['error', e.error],
        ['cause', e.cause],
        ['step error', e.failedStep?.error && e.failedStep.error !== e.error ? e.failedStep.error : undefined],
        ['stopped', formatTime(e.stopDate)],
        ['console', e.consoleUrl],
      ]),
    );
  }
  const latest = executions[0]!;
  if (latest.status === 'SUCCEEDED') out.push('', `latest: ${latest.consoleUrl}`);
  return out.join('\n');
}

export async function executions(deps: Deps, ref: GroupRefArg, options: GlobalOptions): Promise<number> {
  const groups = deps.groups();
  const key = { namespace: ref.namespace ?? options.namespace ?? groups.defaultNamespace, name: ref.name };
  const group = await groups.get(key);
  const sfn = deps.sfn();
  const { workflows, prefix } = await findWorkflows(deps, options);
  requireWorkflows(workflows, prefix, group?.spec.provisioner);
  const list = await groupExecutions(sfn, workflows, {
    ...key,
    ...(group ? { uid: group.metadata.uid, provisioner: group.spec.provisioner } : {}),
    limit: options.limit,
  });
  if (options.output !== 'table') {
    deps.out(structured(options.output, list.map(({ change, ...e }) => ({ ...e, group: change?.group, spec: change?.spec })))!);
    return 0;
  }
  if (!group) deps.err(`note: InstanceGroup ${key.namespace}/${key.name} does not exist (any more); showing executions that named it`);
  deps.out(renderExecutions(`${key.namespace}/${key.name}`, list, deps.now()));
  return 0;
}
