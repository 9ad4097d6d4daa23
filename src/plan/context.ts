import type { KubeObject } from '../core/kube.ts';
import { labelsOf, objectKey } from '../core/kube.ts';
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

export function buildContext(desired: DesiredEnvironment, live: LiveState, chart?: ChartRender): { context: PlanContext; findings: Finding[] } {
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

/** Only objects fsm-gitops created for this environment may ever be pruned. */
export function ownedBy(object: KubeObject, environment: string): boolean {
  const labels = labelsOf(object);
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[ENVIRONMENT_LABEL] === environment;
}
