import { isObject, type JsonObject } from '../core/json.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { KubeApiError } from '../kube/kube-errors.ts';
import { collectionPath, CONFIG_MAPS, objectPath } from '../kube/resource-paths.ts';

/**
 * One small JSON record per environment kept in the cluster next to its Lease, as a ConfigMap
 * `fsm-gitops-<kind>-<env>` in the mesh namespace: what claims and pins are stored as. Create is the
 * compare-and-set (409 when someone has one); update and delete carry the resourceVersion that was read.
 */
export class EnvironmentRecord<T extends object> {
  constructor(
    private readonly client: KubeApi,
    private readonly namespace: string,
    private readonly environment: string,
    private readonly kind: 'claim' | 'pin',
  ) {}

  get name(): string {
    return `fsm-gitops-${this.kind}-${this.environment}`;
  }

  private get path(): string {
    return objectPath(CONFIG_MAPS, this.namespace, this.name);
  }

  async read(): Promise<{ value: T; resourceVersion: string } | undefined> {
    const configMap = await this.client.get(this.path, `read ${this.kind} of ${this.environment}`);
    if (!configMap) return undefined;
    const data = isObject(configMap['data']) ? configMap['data'] : {};
    const metadata = isObject(configMap['metadata']) ? configMap['metadata'] : {};
    try {
      const value = JSON.parse(String(data[this.kind] ?? 'null')) as T | null;
      return value ? { value, resourceVersion: String(metadata['resourceVersion'] ?? '') } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Creates the record; false when one exists already (someone else's, or ours from before). */
  async create(value: T): Promise<boolean> {
    try {
      await this.client.request({ method: 'POST', path: collectionPath(CONFIG_MAPS, this.namespace), body: this.body(value), what: `record ${this.kind} of ${this.environment}` });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409) return false;
      throw error;
    }
  }

  async replace(value: T, resourceVersion: string): Promise<void> {
    await this.client.request({ method: 'PUT', path: this.path, body: this.body(value, resourceVersion), what: `update ${this.kind} of ${this.environment}` });
  }

  /** Deletes the record if it is still the one read (resourceVersion); true when it is gone. */
  async delete(resourceVersion?: string): Promise<boolean> {
    try {
      const preconditions = resourceVersion ? { resourceVersion } : undefined;
      await this.client.request({ method: 'DELETE', path: this.path, body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions }, what: `release ${this.kind} of ${this.environment}` });
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return true;
      if (error instanceof KubeApiError && error.status === 409) return false;
      throw error;
    }
  }

  private body(value: T, resourceVersion?: string): JsonObject {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [ENVIRONMENT_LABEL]: this.environment },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      data: { [this.kind]: JSON.stringify(value) },
    };
  }
}
