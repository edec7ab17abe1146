// InstanceGroups and the installation policy object through @kubernetes/client-node, from a kubeconfig: whatever
// credentials kubectl would use, the CLI uses (cold start does not matter for a CLI; the Lambdas keep core/kube's
// small client).
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { GroupKey } from '../core/kube/instancegroups.js';
import { POLICY_NAME, POLICY_PLURAL, POLICY_REF, POLICY_VERSION } from '../core/policy/index.js';
import { API_GROUP, API_VERSION, PLURAL } from '../core/schema/openapi.js';
import type { InstanceGroup } from '../core/spec/types.js';
import type { GlobalOptions } from './args.js';
import type { GroupSource } from './clients.js';
import { CliError, explain, type KubeResource } from './errors.js';
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

/** A missing object is an answer; a missing CRD (no details.name in the Status) is an error. */
const objectMissing = (error: unknown) => statusCode(error) === 404 && !!statusBody(error)?.details?.name;

/** The custom objects API of the kubeconfig's cluster; `call` turns failures into CliErrors naming the fix. */
function customObjects(options: Pick<GlobalOptions, 'kubeconfig' | 'context'>, env: NodeJS.ProcessEnv, resource: KubeResource) {
  const loaded = loadKubeconfig(options, env);
  const exec = execPluginOf(loaded.user);
  const where = `${loaded.cluster.server} (context ${loaded.context.name}, kubeconfig ${loaded.files.join(', ')})`;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw explain(error, { service: 'the API server', where, resource, ...(exec ? { execPlugin: exec } : {}) });
    }
  };
  return { loaded, where, call, api: loaded.config.makeApiClient(CustomObjectsApi) };
}

export function kubeGroups(options: Pick<GlobalOptions, 'kubeconfig' | 'context'>, env: NodeJS.ProcessEnv): GroupSource {
  const { loaded, api, call } = customObjects(options, env, 'instancegroups');
  const base = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
  return {
    defaultNamespace: loaded.namespace,
    get: (key: GroupKey) =>
      call(async () => {
        try {
          return (await api.getNamespacedCustomObject({ ...base, namespace: key.namespace, name: key.name })) as InstanceGroup;
        } catch (error) {
          if (objectMissing(error)) return undefined;
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

/** InstanceManagerPolicy "default" as the cluster has it (cluster-scoped). */
export async function kubePolicyObject(options: Pick<GlobalOptions, 'kubeconfig' | 'context'>, env: NodeJS.ProcessEnv): Promise<unknown> {
  const { api, call, where } = customObjects(options, env, POLICY_PLURAL);
  return call(async () => {
    try {
      return await api.getClusterCustomObject({ group: API_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, name: POLICY_NAME });
    } catch (error) {
      if (!objectMissing(error)) throw error;
      throw new CliError(
        `${POLICY_REF} does not exist in the cluster at ${where}`,
        'create it: kubectl apply -f infra/k8s/policy/default-policy.yaml (the defaults; widen it before rendering)',
      );
    }
  });
}
