// imctl status: InstanceGroups with their state, generation lag, last execution and the Ready condition's reason.
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
  };
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
  return withNamespace ? table(['NAMESPACE', ...headers], body.map((row, i) => [rows[i]!.namespace, ...row])) : table(headers, body);
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
