import type { KubeObject } from '../core/kube.ts';
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
import { pruneCandidates } from './prune.ts';

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
  const { managed, misplaced, findings } = classifyResources(desired.resources, environment, allowedNamespaces);
  const schemas = new CrdSchemas(live.crds, (kind, group) => missingCrd(live, environment.mesh, kind, group));
  const meshConfig = managed.find((r) => r.kind === 'MeshConfig');
  let effectiveMeshConfig: KubeObject | undefined = live.meshConfig;
  if (meshConfig) {
    const lookup = schemas.lookup(meshConfig.object.apiVersion, meshConfig.object.kind);
    effectiveMeshConfig = live.meshConfig
      ? (applyOnto(live.meshConfig, meshConfig.object, lookup.ok ? lookup.schema : undefined) as KubeObject)
      : meshConfig.object;
  }
  const { pruned, findings: pruneFindings } = pruneCandidates(desired, live);
  const release = live.helmRelease;
  const helmValues =
    release && desired.values
      ? { deployed: coalesceValues(release.chartValues, release.config), wanted: coalesceValues(release.chartValues, releaseValues(desired.values.values, environment.mesh.name)) }
      : undefined;
  return {
    context: { environment, desired, live, schemas, managed, misplaced, effectiveMeshConfig, allowedNamespaces, pruned, helmValues, ...(chart ? { chart } : {}) },
    findings: [...findings, ...pruneFindings],
  };
}

/** `built` (a buildContext without a chart) with `chart` added, and its findings copied: a plan may append to them. */
export function withChart(built: BuiltContext, chart: ChartRender | undefined): BuiltContext {
  return { context: chart ? { ...built.context, chart } : built.context, findings: [...built.findings] };
}

