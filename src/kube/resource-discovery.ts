import pLimit from 'p-limit';
import { isObject, type JsonObject } from '../core/json.ts';
import { apiGroup, apiVersionOnly, namespaceOf, type KubeObject } from '../core/kube.ts';
import type { KubeApi } from './kube-client.ts';
import { objectPath, typeFor } from './resource-paths.ts';

/** An object's path on the API server, and its namespace when its kind is namespaced. */
export interface ObjectLocation {
  path: string;
  namespace?: string;
}

/**
 * Object paths of any kind the API server serves, from its discovery documents (Kubernetes API:
 * `GET /api/v1`, `GET /apis/<group>/<version>`, one read per apiVersion, remembered): for objects whose kinds
 * are not known in advance, such as a Helm chart's.
 */
export class ResourceDiscovery {
  private readonly byVersion = new Map<string, Promise<Map<string, { plural: string; namespaced: boolean }>>>();

  constructor(private readonly client: KubeApi) {}

  /**
   * Where the object lives: its path (`/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller`) and,
   * for a namespaced kind, its namespace (`defaultNamespace` when the object names none); undefined when the
   * server does not serve its kind. Throws for an apiVersion that could reshape the URL, and the API error when
   * discovery cannot be read.
   */
  async locate(object: KubeObject, defaultNamespace: string): Promise<ObjectLocation | undefined> {
    const kinds = await this.kinds(object.apiVersion);
    const kind = kinds.get(object.kind);
    if (!kind) return undefined;
    const type = typeFor(object.apiVersion, kind.plural, kind.namespaced);
    const namespace = kind.namespaced ? (namespaceOf(object) ?? defaultNamespace) : undefined;
    return { path: objectPath(type, namespace, object.metadata.name), ...(namespace === undefined ? {} : { namespace }) };
  }

  /**
   * Each object as it is live, read with a bounded number of GETs in flight (`inFlight`), in the order given:
   * where it lives and the live object (undefined: not found), or undefined when the server does not serve its
   * kind. Throws the first API error that is not a 404, as KubeApi.get does.
   */
  readEach(objects: readonly KubeObject[], defaultNamespace: string, inFlight: number): Promise<Array<{ location: ObjectLocation; live: JsonObject | undefined } | undefined>> {
    const limit = pLimit(inFlight);
    return Promise.all(
      objects.map((object) =>
        limit(async () => {
          const location = await this.locate(object, defaultNamespace);
          if (!location) return undefined;
          return { location, live: await this.client.get(location.path, `read ${object.kind} ${object.metadata.name}`) };
        }),
      ),
    );
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
