import { API_GROUP, API_VERSION, PLURAL } from '../schema/openapi.js';
import type { InstanceGroup, InstanceGroupStatus } from '../spec/types.js';
import { FINALIZER } from '../names/index.js';
import { KubeApiError, type KubeRest } from './rest.js';

export interface GroupKey {
  namespace: string;
  name: string;
}

/** The HTTP status of a failed Kubernetes call, from this client or from @kubernetes/client-node. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof KubeApiError) return error.code;
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  const code = e?.code ?? e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

const collection = (namespace?: string) =>
  `/apis/${API_GROUP}/${API_VERSION}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${PLURAL}`;
const item = (key: GroupKey) => `${collection(key.namespace)}/${encodeURIComponent(key.name)}`;

/** The InstanceGroup operations the workflows and the CLI need, on one cluster. */
export class InstanceGroupApi {
  constructor(readonly kube: KubeRest) {}

  async get(key: GroupKey): Promise<InstanceGroup | undefined> {
    try {
      return await this.kube.get<InstanceGroup>(item(key));
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(namespace?: string): Promise<{ items: InstanceGroup[]; resourceVersion: string }> {
    const list = await this.kube.get<{ items: InstanceGroup[]; metadata: { resourceVersion: string } }>(collection(namespace));
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  /**
   * Replaces status through the status subresource. The resourceVersion test makes a concurrent write fail
   * (409/422) instead of being overwritten; callers re-read and decide again.
   */
  replaceStatus(group: InstanceGroup, status: InstanceGroupStatus): Promise<InstanceGroup> {
    return this.jsonPatch(`${item(group.metadata)}/status`, [
      { op: 'test', path: '/metadata/resourceVersion', value: group.metadata.resourceVersion },
      { op: group.status ? 'replace' : 'add', path: '/status', value: status },
    ]);
  }

  /** Adds our finalizer without touching anyone else's: the test op fails the patch if the list changed meanwhile. */
  async addFinalizer(group: InstanceGroup): Promise<InstanceGroup> {
    const current = group.metadata.finalizers;
    if (current?.includes(FINALIZER)) return group;
    return this.jsonPatch(
      item(group.metadata),
      current
        ? [
            { op: 'test', path: '/metadata/finalizers', value: current },
            { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
          ]
        : [
            { op: 'test', path: '/metadata/resourceVersion', value: group.metadata.resourceVersion },
            { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
          ],
    );
  }

  async removeFinalizer(group: InstanceGroup): Promise<InstanceGroup | undefined> {
    const index = group.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
    if (index < 0) return group;
    try {
      return await this.jsonPatch(item(group.metadata), [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ]);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private jsonPatch(path: string, body: object[]): Promise<InstanceGroup> {
    return this.kube.request<InstanceGroup>('PATCH', path, { body, contentType: 'application/json-patch+json' });
  }

  /** A Kubernetes Event on the object, shown by `kubectl describe instancegroup`. */
  async recordEvent(group: InstanceGroup, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date().toISOString();
    const namespace = group.metadata.namespace;
    await this.kube.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${group.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: `${API_GROUP}/${API_VERSION}`,
          kind: 'InstanceGroup',
          name: group.metadata.name,
          namespace,
          uid: group.metadata.uid,
          resourceVersion: group.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: 'instance-manager' },
        reportingComponent: 'instancemgr.keikoproj.io/instance-manager',
        reportingInstance: 'instance-manager',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
