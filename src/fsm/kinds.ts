import { apiGroup, type KubeObject } from '../core/kube.ts';

export type FsmKind = 'MeshConfig' | 'Plugin' | 'PluginChain' | 'PluginConfig';

export interface FsmKindInfo {
  kind: FsmKind;
  group: string;
  plural: string;
  namespaced: boolean;
  /**
   * The version FSM's CRD stores this kind at, in the chart fsm-gitops knows (FSM 1.6, the reference
   * install: src/fsm/reference-install.ts). The live read lists the kind at this version before the
   * cluster's CRD has answered, and lists again only when the CRD stores another (src/kube/cluster-reader.ts).
   */
  expectedVersion: string;
}

/** The kinds fsm-gitops manages, in apply order (prune goes in reverse). */
export const FSM_KINDS: readonly FsmKindInfo[] = [
  { kind: 'MeshConfig', group: 'config.flomesh.io', plural: 'meshconfigs', namespaced: true, expectedVersion: 'v1alpha3' },
  { kind: 'Plugin', group: 'plugin.flomesh.io', plural: 'plugins', namespaced: false, expectedVersion: 'v1alpha1' },
  { kind: 'PluginChain', group: 'plugin.flomesh.io', plural: 'pluginchains', namespaced: true, expectedVersion: 'v1alpha1' },
  { kind: 'PluginConfig', group: 'plugin.flomesh.io', plural: 'pluginconfigs', namespaced: true, expectedVersion: 'v1alpha1' },
];

export const MESH_CONFIG_NAME = 'fsm-mesh-config';

/** The name of the kind's CustomResourceDefinition, `<plural>.<group>` (Kubernetes API: a CRD's name must be this). */
export function crdName(info: Pick<FsmKindInfo, 'plural' | 'group'>): string {
  return `${info.plural}.${info.group}`;
}
export const PLUGIN_KINDS: readonly FsmKind[] = ['Plugin', 'PluginChain', 'PluginConfig'];

/** FSM_KINDS by kind: fsmKindOf runs for every object a plan reads, several times each. */
const BY_KIND: ReadonlyMap<string, FsmKindInfo> = new Map(FSM_KINDS.map((info) => [info.kind, info]));

/** The FSM kind of an object: its kind one of FSM_KINDS, in that kind's API group (any version). */
export function fsmKindOf(object: KubeObject): FsmKindInfo | undefined {
  const info = BY_KIND.get(object.kind);
  return info && apiGroup(object.apiVersion) === info.group ? info : undefined;
}

/** Kubernetes' version form (`v1`, `v1alpha3`, `v2beta1`), the form every FSM CRD version has. */
const KUBE_VERSION = /^v[1-9][0-9]*(?:(?:alpha|beta)[1-9][0-9]*)?$/;

/**
 * True when the object's apiVersion is exactly `<FSM group of its kind>/<version>` with a version in
 * Kubernetes' form. Only such an apiVersion may build an API URL: anything else
 * (`plugin.flomesh.io/v1alpha1/namespaces/x/...?`) would address another object. Whether the cluster
 * serves that version is the CRD's question (schema-unavailable), not this one.
 */
export function hasFsmApiVersion(object: KubeObject): boolean {
  const kind = fsmKindOf(object);
  const slash = object.apiVersion.indexOf('/');
  return kind !== undefined && object.apiVersion.slice(0, slash) === kind.group && KUBE_VERSION.test(object.apiVersion.slice(slash + 1));
}

export function isFsmKind(object: KubeObject, kind: FsmKind): boolean {
  return fsmKindOf(object)?.kind === kind;
}

export function applyOrder(kind: FsmKind): number {
  return FSM_KINDS.findIndex((k) => k.kind === kind);
}
