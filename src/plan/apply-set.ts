import type { KubeObject } from '../core/kube.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { applyOrder, fsmKindOf } from '../fsm/kinds.ts';
import type { LiveState } from '../live/live-state.ts';
import { toApply } from './changes.ts';
import { buildContext } from './context.ts';
import { liveObjectsByKey } from './live-objects.ts';
import type { ChartUpgrade } from './plan-types.ts';
import type { PlanContext } from '../fsm/rules/rule.ts';

export interface ApplySet {
  /** Manifests to server-side apply, in dependency order: MeshConfig, Plugins, PluginChains, PluginConfigs. */
  apply: KubeObject[];
  /** Live objects to delete, in reverse dependency order. */
  prune: KubeObject[];
  /**
   * The live FSM objects the plan read (MeshConfig and plugin objects, from its LIST of each kind) by
   * objectKey: what the apply records as "before" and writes conditionally on (their resourceVersion).
   * A key missing from the map is an object the plan found absent. Absent when unknown: the apply then
   * reads each object it touches first.
   */
  live?: ReadonlyMap<string, KubeObject>;
  /** The chart upgrade the plan rendered (planAgainst sets it), run before the objects. */
  chart?: ChartUpgrade;
}

/**
 * What applying this environment would send to the API server (unmasked: never rendered). `context`: the
 * one buildContext made of the same `desired` and `live`, when the caller has it (else built here).
 */
export function applySet(desired: DesiredEnvironment, live: LiveState, context: PlanContext = buildContext(desired, live).context): ApplySet {
  const rank = (object: KubeObject): number => applyOrder(fsmKindOf(object)?.kind ?? 'PluginConfig');
  const apply = context.managed.map((resource) => toApply(resource, desired.environment.name)).sort((a, b) => rank(a) - rank(b));
  const prune = [...context.pruned].sort((a, b) => rank(b) - rank(a));
  return { apply, prune, live: liveObjectsByKey(live) };
}
