import { objectKey, type KubeObject } from '../core/kube.ts';
import type { LiveState } from '../live/live-state.ts';

interface Indexed {
  meshConfig: KubeObject | undefined;
  pluginObjects: readonly KubeObject[];
  length: number;
  byKey: ReadonlyMap<string, KubeObject>;
}

/** One index per live state: a plan asks for it from five places (rules, changes, drift, the apply set, the dry run). */
const indexes = new WeakMap<LiveState, Indexed>();

/**
 * The live FSM objects (MeshConfig and plugin kinds) by objectKey. Built once per live state, and again
 * when its MeshConfig or plugin list has been replaced or grown since; do not write to it.
 */
export function liveObjectsByKey(live: LiveState): ReadonlyMap<string, KubeObject> {
  const known = indexes.get(live);
  if (known && known.meshConfig === live.meshConfig && known.pluginObjects === live.pluginObjects && known.length === live.pluginObjects.length) return known.byKey;
  const objects = [...(live.meshConfig ? [live.meshConfig] : []), ...live.pluginObjects];
  const byKey = new Map(objects.map((o) => [objectKey(o), o]));
  indexes.set(live, { meshConfig: live.meshConfig, pluginObjects: live.pluginObjects, length: live.pluginObjects.length, byKey });
  return byKey;
}
