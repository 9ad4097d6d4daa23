import { namespaceOf, type KubeObject } from '../core/kube.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { REFERENCE_INSTALL } from '../fsm/reference-install.ts';
import type { LiveState } from './live-state.ts';
import { MONITORED_BY_LABEL } from './mesh-scope.ts';

/**
 * The live state of a fresh FSM install with default values, for an environment that has no trusted
 * cluster yet (one a pull request adds): FSM's CRDs, the MeshConfig fsm-bootstrap creates, no plugins, no
 * Helm release. The namespaces the environment allows, or else those its files name, count as monitored.
 * Nothing here comes from, or goes to, a cluster.
 */
export function referenceLiveState(desired: DesiredEnvironment): LiveState {
  const { mesh } = desired.environment;
  const named = desired.resources.map((r) => namespaceOf(r.object)).filter((ns): ns is string => ns !== undefined);
  const monitored = [...new Set(desired.environment.namespaces ?? named)].sort();
  const meshConfig: KubeObject = {
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshConfig',
    metadata: { name: 'fsm-mesh-config', namespace: mesh.namespace },
    spec: structuredClone(REFERENCE_INSTALL.meshConfigSpec),
  };
  return {
    source: `no cluster: a new environment, planned from its files against a default FSM ${REFERENCE_INSTALL.chartVersion} install`,
    origin: 'reference',
    crds: REFERENCE_INSTALL.crds,
    meshConfig,
    pluginObjects: [],
    helmRelease: undefined,
    namespaces: monitored.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MONITORED_BY_LABEL]: mesh.name } } })),
    workloads: [],
  };
}
