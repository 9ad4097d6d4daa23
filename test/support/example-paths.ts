import { namespaceOf, type KubeObject } from '../../src/core/kube.ts';
import { fsmKindOf } from '../../src/fsm/kinds.ts';
import { fsmObjectPath } from '../../src/kube/fsm-objects.ts';
import { CONFIG_MAPS, CRDS, NAMESPACES, objectPath, SECRETS, SERVICES, WORKLOADS, type ResourceType } from '../../src/kube/resource-paths.ts';

// Apart from example-kube.ts, which loads nock: a test on real sockets imports this without nock's interception.
const TYPES = new Map<string, ResourceType>([['CustomResourceDefinition', CRDS], ['Namespace', NAMESPACES], ['Secret', SECRETS], ['ConfigMap', CONFIG_MAPS], ['Service', SERVICES], ...Object.entries(WORKLOADS)]);

/** Where an object of the example cluster lives on the API server. */
export function examplePath(object: KubeObject): string {
  if (fsmKindOf(object)) return fsmObjectPath(object);
  const type = TYPES.get(object.kind);
  if (!type) throw new Error(`no path for ${object.kind}`);
  return objectPath(type, namespaceOf(object), object.metadata.name);
}
