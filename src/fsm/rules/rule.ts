import type { EnvironmentConfig } from '../../config/repo-config.ts';
import type { Finding } from '../../core/finding.ts';
import type { JsonObject } from '../../core/json.ts';
import { objectKey, type KubeObject } from '../../core/kube.ts';
import type { DesiredEnvironment, DesiredResource } from '../../desired/desired-state.ts';
import type { LiveState } from '../../live/live-state.ts';
import type { ChartRender } from '../../plan/plan-types.ts';
import type { CrdSchemas } from '../crd-schemas.ts';
import { fsmKindOf, type FsmKind } from '../kinds.ts';

/** Everything a rule may look at. Rules are pure: they read this and return findings. */
export interface PlanContext {
  environment: EnvironmentConfig;
  desired: DesiredEnvironment;
  live: LiveState;
  schemas: CrdSchemas;
  /** Repository resources of FSM's kinds that passed the safety checks, each with its kind. */
  managed: ManagedResource[];
  /**
   * Repository resources refused only for their namespace (namespace-not-allowed, a namespace on a cluster-scoped
   * kind): never applied, but the rules that read one manifest alone check them too, so that one round of fixes
   * clears the file instead of its other errors showing only once it is moved.
   */
  misplaced: readonly ManagedResource[];
  /** The MeshConfig as it will be once this change is applied (live merged with the repo), if any. */
  effectiveMeshConfig: KubeObject | undefined;
  /** Namespaces this environment may put namespaced resources in. */
  allowedNamespaces: readonly string[];
  /** Live objects this change deletes (fsm-gitops created them for this environment; the repo no longer has them). */
  pruned: readonly KubeObject[];
  /** The chart rendered for a values or chart-version change (environment with `chart: { upgrade: true }`), when one was. */
  chart?: ChartRender;
  /** Chart values as Helm would use them, before (the deployed release) and after (values.yaml); set when both exist. */
  helmValues: { deployed: JsonObject; wanted: JsonObject } | undefined;
}

export interface ManagedResource extends DesiredResource {
  kind: FsmKind;
}

export interface Rule {
  /** Short name for docs and tests; the codes it emits are in core/rule-codes.ts. */
  name: string;
  check(context: PlanContext): Finding[];
}

export function ofKind(context: PlanContext, kind: FsmKind): ManagedResource[] {
  return context.managed.filter((r) => r.kind === kind);
}

/**
 * The resources whose own content a rule checks: the managed ones and the misplaced ones (PlanContext.misplaced).
 * Only for rules that read one manifest alone; a rule about the cluster after the change reads ofKind/objectsAfter.
 */
export function contentOf(context: PlanContext, kind?: FsmKind): ManagedResource[] {
  const all = [...context.managed, ...context.misplaced];
  return kind ? all.filter((r) => r.kind === kind) : all;
}

/**
 * Names of the repository's objects of `kind` that were refused (an error on the manifest: a namespace on a Plugin,
 * a namespace outside the environment): the repository asks for them, so a reference to one is not "missing"; the
 * error on the object itself is what to fix.
 */
export function refusedNames(context: PlanContext, kind: FsmKind): Set<string> {
  const managed = new Set(context.managed.map((r) => r.object));
  return new Set(context.desired.resources.filter((r) => r.object.kind === kind && !managed.has(r.object)).map((r) => r.object.metadata.name));
}

/** Objects of a plugin kind as the cluster will hold them after this change: the repo's, plus live ones it neither replaces nor prunes. */
export function objectsAfter(context: PlanContext, kind: FsmKind): KubeObject[] {
  const fromRepo = ofKind(context, kind).map((r) => r.object);
  const replaced = new Set(fromRepo.map(objectKey));
  const pruned = new Set(context.pruned.map(objectKey));
  const live = context.live.pluginObjects.filter((o) => {
    if (fsmKindOf(o)?.kind !== kind) return false;
    const key = objectKey(o);
    return !replaced.has(key) && !pruned.has(key);
  });
  return [...fromRepo, ...live];
}
