// imctl status: InstanceGroups with their state, generation lag, last execution and the Ready condition's reason,
// and below the table where a node rotation is (batch, nodes replaced, what it waits on).
import type { InstanceGroup } from '../../core/spec/types.js';
import type { GlobalOptions } from '../args.js';
import type { Deps } from '../clients.js';
import { structured, table } from '../format.js';

export interface StatusRow {
  namespace: string;
  name: string;
  provisioner: string;
  state: string;
  generation: number;
  observedGeneration?: number;
  /** Generations not yet reflected in status (0: in sync). */
  lag: number;
  deleting: boolean;
  lastExecution?: { name?: string; result?: string; generation?: number; attempt?: number; consoleUrl?: string };
  readyReason?: string;
  readyMessage?: string;
  /** The rotation under way (or the one that stopped), from status.rotation. */
  rotation?: { generation?: number; batch?: number; batches?: number; replaced?: number; total?: number; waitingFor?: string; message?: string };
}

export function statusRow(group: InstanceGroup): StatusRow {
  const status = group.status;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  const last = status?.lastExecution;
  return {
    namespace: group.metadata.namespace,
    name: group.metadata.name,
    provisioner: group.spec.provisioner,
    state: status?.currentState ?? (group.metadata.deletionTimestamp ? 'Deleting' : 'Pending'),
    generation: group.metadata.generation,
    ...(status?.observedGeneration !== undefined ? { observedGeneration: status.observedGeneration } : {}),
    lag: Math.max(0, group.metadata.generation - (status?.observedGeneration ?? 0)),
    deleting: !!group.metadata.deletionTimestamp,
    ...(last
      ? { lastExecution: { name: last.name, result: last.result, generation: last.generation, attempt: last.attempt, consoleUrl: last.consoleUrl } }
      : {}),
    ...(ready?.reason ? { readyReason: ready.reason } : {}),
    ...(ready?.message ? { readyMessage: ready.message } : {}),
    ...(status?.rotation ? { rotation: status.rotation } : {}),
  };
}

/** "batch 2 of 4, 3 of 8 nodes replaced; waiting for PodDisruptionBudget ..." (stopped: when the group is in Error). */
export function rotationLine(row: StatusRow): string | undefined {
  const r = row.rotation;
  if (!r) return undefined;
  const where = r.batch ? `batch ${r.batch} of ${r.batches ?? '?'}, ` : r.batches ? `${r.batches} batches planned, ` : '';
  const lead = row.state === 'Error' ? 'rotation stopped at' : 'rotating:';
  const generation = r.generation !== undefined ? ` (generation ${r.generation})` : '';
  const waiting = r.waitingFor ? `; waiting for ${r.waitingFor}` : '';
  return `${lead} ${where}${r.replaced ?? 0} of ${r.total ?? '?'} nodes replaced${generation}${waiting}`;
}

export function renderStatus(rows: StatusRow[], withNamespace: boolean): string {
  if (!rows.length) return 'No InstanceGroups found.';
  const headers = ['NAME', 'PROVISIONER', 'STATE', 'GEN', 'OBSERVED', 'LAG', 'LAST EXECUTION', 'RESULT', 'REASON'];
  const body = rows.map((r) => [
    r.name,
    r.provisioner,
    r.deleting && r.state !== 'Deleting' ? `${r.state} (deleting)` : r.state,
    String(r.generation),
    r.observedGeneration === undefined ? '-' : String(r.observedGeneration),
    String(r.lag),
    r.lastExecution?.name ?? '-',
    r.lastExecution?.result ?? '-',
    r.readyReason ?? '-',
  ]);
  const rendered = withNamespace ? table(['NAMESPACE', ...headers], body.map((row, i) => [rows[i]!.namespace, ...row])) : table(headers, body);
  const rotations = rows.flatMap((r) => {
    const line = rotationLine(r);
    return line ? [`${withNamespace ? `${r.namespace}/` : ''}${r.name}: ${line}`] : [];
  });
  return rotations.length ? `${rendered}\n\n${rotations.join('\n')}` : rendered;
}

export async function status(deps: Deps, allNamespaces: boolean, options: GlobalOptions): Promise<number> {
  const groups = deps.groups();
  const namespace = allNamespaces ? undefined : (options.namespace ?? groups.defaultNamespace);
  const rows = (await groups.list(namespace))
    .map(statusRow)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  if (options.output !== 'table') deps.out(structured(options.output, rows)!);
  else deps.out(rows.length || allNamespaces ? renderStatus(rows, allNamespaces) : `No InstanceGroups found in namespace ${namespace}.`);
  return 0;
}
