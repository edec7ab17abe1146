// InstanceGroups through @kubernetes/client-node, from a kubeconfig: whatever credentials kubectl would use, the
// CLI uses (cold start does not matter for a CLI; the Lambdas keep core/kube's small client).
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { GroupKey } from '../core/kube/instancegroups.js';
import { API_GROUP, API_VERSION, PLURAL } from '../core/schema/openapi.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { GlobalOptions } from './args.js';
import type { GroupSource } from './clients.js';
import { explain } from './errors.js';
import { execPluginOf, loadKubeconfig } from './kubeconfig.js';

const statusCode = (error: unknown) => (error as { code?: unknown })?.code;

/** The Kubernetes Status in a failed call's body (client-node gives it as text or parsed, by version). */
function statusBody(error: unknown): { details?: { name?: string } } | undefined {
  const body = (error as { body?: unknown })?.body;
  if (typeof body !== 'string') return body as { details?: { name?: string } } | undefined;
  try {
    return JSON.parse(body) as { details?: { name?: string } };
  } catch {
    return undefined;
  }
}

export function kubeGroups(options: Pick<GlobalOptions, 'kubeconfig' | 'context'>, env: NodeJS.ProcessEnv): GroupSource {
  const loaded = loadKubeconfig(options, env);
  const api = loaded.config.makeApiClient(CustomObjectsApi);
  const exec = execPluginOf(loaded.user);
  const where = `${loaded.cluster.server} (context ${loaded.context.name}, kubeconfig ${loaded.files.join(', ')})`;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw explain(error, { service: 'the API server', where, ...(exec ? { execPlugin: exec } : {}) });
    }
  };
  const base = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
  return {
    defaultNamespace: loaded.namespace,
    get: (key: GroupKey) =>
      call(async () => {
        try {
          return (await api.getNamespacedCustomObject({ ...base, namespace: key.namespace, name: key.name })) as InstanceGroup;
        } catch (error) {
          // A missing object is an answer; a missing CRD (no details.name in the Status) is an error.
          if (statusCode(error) === 404 && statusBody(error)?.details?.name) return undefined;
          throw error;
        }
      }),
    list: (namespace?: string) =>
      call(async () => {
        const list = (namespace
          ? await api.listNamespacedCustomObject({ ...base, namespace })
          : await api.listClusterCustomObject(base)) as { items: InstanceGroup[] };
        return list.items;
      }),
  };
}
