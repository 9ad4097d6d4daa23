import { labelsOf, type KubeObject } from '../core/kube.ts';

/** FSM marks the namespaces a mesh watches (`fsm namespace add`) with this label, valued with the mesh name. */
export const MONITORED_BY_LABEL = 'flomesh.io/monitored-by';

export function monitoredNamespaces(namespaces: readonly KubeObject[], meshName: string): string[] {
  return namespaces.filter((ns) => labelsOf(ns)[MONITORED_BY_LABEL] === meshName).map((ns) => ns.metadata.name).sort();
}
