import { isObject } from '../core/json.ts';
import { apiGroup, apiVersionOnly, namespaceOf, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from './kube-client.ts';
import { objectPath, typeFor } from './resource-paths.ts';

/**
 * Object paths of any kind the API server serves, from its discovery documents (Kubernetes API:
 * `GET /api/v1`, `GET /apis/<group>/<version>`, one read per apiVersion, remembered): for objects whose kinds
 * are not known in advance, such as a Helm chart's.
 */
export class ResourceDiscovery {
  private readonly byVersion = new Map<string, Promise<Map<string, { plural: string; namespaced: boolean }>>>();

  constructor(private readonly client: KubeApi) {}

  /**
   * The object's path (`/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller`), a namespaced kind's
   * in `defaultNamespace` when the object names none; undefined when the server does not serve its kind.
   * Throws for an apiVersion that could reshape the URL, and the API error when discovery cannot be read.
   */
  async pathOf(object: KubeObject, defaultNamespace: string): Promise<string | undefined> {
    const kinds = await this.kinds(object.apiVersion);
    const kind = kinds.get(object.kind);
    if (!kind) return undefined;
    const type = typeFor(object.apiVersion, kind.plural, kind.namespaced);
    return objectPath(type, kind.namespaced ? (namespaceOf(object) ?? defaultNamespace) : undefined, object.metadata.name);
  }

  private kinds(apiVersion: string): Promise<Map<string, { plural: string; namespaced: boolean }>> {
    let known = this.byVersion.get(apiVersion);
    if (!known) {
      const group = apiGroup(apiVersion);
      typeFor(apiVersion, 'x', false); // refuses an apiVersion that could reshape the URL
      const path = group === '' ? `/api/${apiVersionOnly(apiVersion)}` : `/apis/${group}/${apiVersionOnly(apiVersion)}`;
      known = this.client.get(path, `discover ${apiVersion}`).then((document) => {
        const kinds = new Map<string, { plural: string; namespaced: boolean }>();
        const resources = document && Array.isArray(document['resources']) ? document['resources'] : [];
        for (const resource of resources) {
          if (!isObject(resource) || typeof resource['name'] !== 'string' || resource['name'].includes('/')) continue;
          kinds.set(String(resource['kind']), { plural: resource['name'], namespaced: resource['namespaced'] === true });
        }
        return kinds;
      });
      this.byVersion.set(apiVersion, known);
    }
    return known;
  }
}
