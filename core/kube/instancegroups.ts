import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PLURAL } from '../schema/openapi.js';
import type { InstanceGroup, InstanceGroupStatus } from '../spec/types.js';
import { FINALIZER } from '../names/index.js';

export interface GroupKey {
  namespace: string;
  name: string;
}

const ref = (key: GroupKey) => ({ group: API_GROUP, version: API_VERSION, plural: PLURAL, namespace: key.namespace, name: key.name });

export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown; statusCode?: unknown })?.code ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The InstanceGroup operations every component needs, on one cluster. */
export class InstanceGroupApi {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  constructor(readonly kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async get(key: GroupKey): Promise<InstanceGroup | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject(ref(key))) as InstanceGroup;
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(namespace?: string): Promise<{ items: InstanceGroup[]; resourceVersion: string }> {
    const base = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
    const list = (namespace
      ? await this.custom.listNamespacedCustomObject({ ...base, namespace })
      : await this.custom.listClusterCustomObject(base)) as { items: InstanceGroup[]; metadata: { resourceVersion: string } };
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  /**
   * Replaces status through the status subresource. The resourceVersion precondition makes a concurrent write
   * fail with 409 instead of being overwritten; callers re-read and decide again.
   */
  async replaceStatus(group: InstanceGroup, status: InstanceGroupStatus): Promise<InstanceGroup> {
    const body = [
      { op: 'test', path: '/metadata/resourceVersion', value: group.metadata.resourceVersion },
      { op: group.status ? 'replace' : 'add', path: '/status', value: status },
    ];
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { ...ref(group.metadata), body },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as InstanceGroup;
  }

  /** Adds our finalizer without touching anyone else's: the test op fails the patch if the list changed meanwhile. */
  async addFinalizer(group: InstanceGroup): Promise<InstanceGroup> {
    const current = group.metadata.finalizers;
    if (current?.includes(FINALIZER)) return group;
    const body = current
      ? [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
        ]
      : [
          { op: 'test', path: '/metadata/resourceVersion', value: group.metadata.resourceVersion },
          { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
        ];
    return this.jsonPatch(group.metadata, body);
  }

  async removeFinalizer(group: InstanceGroup): Promise<InstanceGroup | undefined> {
    const index = group.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
    if (index < 0) return group;
    try {
      return await this.jsonPatch(group.metadata, [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ]);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async jsonPatch(key: GroupKey, body: object[]): Promise<InstanceGroup> {
    return (await this.custom.patchNamespacedCustomObject(
      { ...ref(key), body },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    )) as InstanceGroup;
  }

  /** A Kubernetes Event on the object, shown by `kubectl describe instancegroup`. */
  async recordEvent(group: InstanceGroup, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace: group.metadata.namespace,
      body: {
        metadata: { generateName: `${group.metadata.name}.`, namespace: group.metadata.namespace },
        involvedObject: {
          apiVersion: `${API_GROUP}/${API_VERSION}`,
          kind: 'InstanceGroup',
          name: group.metadata.name,
          namespace: group.metadata.namespace,
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
