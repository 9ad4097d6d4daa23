import type { KubeObject } from '../core/kube.ts';
import { labelOf, objectKey } from '../core/kube.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../core/ownership.ts';
import type { Finding } from '../core/finding.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import type { LiveState } from '../live/live-state.ts';
import { monitoredNamespaces } from '../live/mesh-scope.ts';
import { missingCrd } from '../live/live-gaps.ts';
import { CrdSchemas } from '../fsm/crd-schemas.ts';
import { classifyResources } from '../fsm/safety.ts';
import { coalesceValues, releaseValues } from '../fsm/helm-values.ts';
import type { ChartRender } from './plan-types.ts';
import type { PlanContext } from '../fsm/rules/rule.ts';
import { applyOnto } from './merge.ts';

/** What buildContext makes: the rules' context, and the findings of classifying the repository's resources. */
export interface BuiltContext {
  context: PlanContext;
  findings: Finding[];
}

/**
 * The context the plan's rules and the apply set read (what is managed, pruned, the effective MeshConfig):
 * built once per plan (planAgainst shares it between applySet and planEnvironment; with the chart added
 * by withChart). Pure; the returned findings array is the caller's to extend.
 */
export function buildContext(desired: DesiredEnvironment, live: LiveState, chart?: ChartRender): BuiltContext {
  const environment = desired.environment;
  const allowedNamespaces = environment.namespaces ?? monitoredNamespaces(live.namespaces, environment.mesh.name);
  const { managed, findings } = classifyResources(desired.resources, environment, allowedNamespaces);
  const schemas = new CrdSchemas(live.crds, (kind, group) => missingCrd(live, environment.mesh, kind, group));
  const meshConfig = managed.find((r) => r.kind === 'MeshConfig');
  let effectiveMeshConfig: KubeObject | undefined = live.meshConfig;
  if (meshConfig) {
    const lookup = schemas.lookup(meshConfig.object.apiVersion, meshConfig.object.kind);
    effectiveMeshConfig = live.meshConfig
      ? (applyOnto(live.meshConfig, meshConfig.object, lookup.ok ? lookup.schema : undefined) as KubeObject)
      : meshConfig.object;
  }
  const wanted = new Set(managed.map((r) => objectKey(r.object)));
  const pruned = environment.prune && !desired.empty ? live.pluginObjects.filter((o) => ownedBy(o, environment.name) && !wanted.has(objectKey(o))) : [];
  const release = live.helmRelease;
  const helmValues =
    release && desired.values
      ? { deployed: coalesceValues(release.chartValues, release.config), wanted: coalesceValues(release.chartValues, releaseValues(desired.values.values, environment.mesh.name)) }
      : undefined;
  return {
    context: { environment, desired, live, schemas, managed, effectiveMeshConfig, allowedNamespaces, pruned, helmValues, ...(chart ? { chart } : {}) },
    findings,
  };
}

/** `built` (a buildContext without a chart) with `chart` added, and its findings copied: a plan may append to them. */
export function withChart(built: BuiltContext, chart: ChartRender | undefined): BuiltContext {
  return { context: chart ? { ...built.context, chart } : built.context, findings: [...built.findings] };
}

/** Only objects fsm-gitops created for this environment may ever be pruned. */
export function ownedBy(object: KubeObject, environment: string): boolean {
  return labelOf(object, MANAGED_BY_LABEL) === MANAGED_BY_VALUE && labelOf(object, ENVIRONMENT_LABEL) === environment;
}
