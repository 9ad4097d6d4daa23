import { apiGroup, type KubeObject } from '../core/kube.ts';

export type FsmKind = 'MeshConfig' | 'Plugin' | 'PluginChain' | 'PluginConfig';

export interface FsmKindInfo {
  kind: FsmKind;
  group: string;
  plural: string;
  namespaced: boolean;
}

/** The kinds fsm-gitops manages, in apply order (prune goes in reverse). */
export const FSM_KINDS: readonly FsmKindInfo[] = [
  { kind: 'MeshConfig', group: 'config.flomesh.io', plural: 'meshconfigs', namespaced: true },
  { kind: 'Plugin', group: 'plugin.flomesh.io', plural: 'plugins', namespaced: false },
  { kind: 'PluginChain', group: 'plugin.flomesh.io', plural: 'pluginchains', namespaced: true },
  { kind: 'PluginConfig', group: 'plugin.flomesh.io', plural: 'pluginconfigs', namespaced: true },
];

export const MESH_CONFIG_NAME = 'fsm-mesh-config';
export const PLUGIN_KINDS: readonly FsmKind[] = ['Plugin', 'PluginChain', 'PluginConfig'];

export function fsmKindOf(object: KubeObject): FsmKindInfo | undefined {
  const group = apiGroup(object.apiVersion);
  return FSM_KINDS.find((k) => k.kind === object.kind && k.group === group);
}

export function isFsmKind(object: KubeObject, kind: FsmKind): boolean {
  return fsmKindOf(object)?.kind === kind;
}

export function applyOrder(kind: FsmKind): number {
  return FSM_KINDS.findIndex((k) => k.kind === kind);
}
