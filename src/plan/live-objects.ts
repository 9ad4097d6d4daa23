import { objectKey, type KubeObject } from '../core/kube.ts';
import type { LiveState } from '../live/live-state.ts';

/** The live FSM objects (MeshConfig and plugin kinds) by objectKey. */
export function liveObjectsByKey(live: LiveState): Map<string, KubeObject> {
  const objects = [...(live.meshConfig ? [live.meshConfig] : []), ...live.pluginObjects];
  return new Map(objects.map((o) => [objectKey(o), o]));
}
