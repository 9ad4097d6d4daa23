import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { displayName, namespaceOf, objectKey } from '../core/kube.ts';
import type { DesiredResource } from '../desired/desired-state.ts';
import { fsmKindOf, MESH_CONFIG_NAME } from './kinds.ts';
import type { ManagedResource } from './rules/rule.ts';

export interface Classified {
  managed: ManagedResource[];
  findings: Finding[];
}

/**
 * Sorts the repository's resources into those fsm-gitops may manage and those it must refuse:
 * kinds that are not FSM's, namespaces outside the environment, duplicates. Refused resources take no
 * further part in the plan, so nothing about them is ever applied.
 */
export function classifyResources(resources: readonly DesiredResource[], environment: EnvironmentConfig, allowedNamespaces: readonly string[]): Classified {
  const managed: ManagedResource[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, DesiredResource>();
  const allowed = new Set(allowedNamespaces);

  for (const resource of resources) {
    const { object } = resource;
    const info = fsmKindOf(object);
    if (!info) {
      findings.push(
        findingAt(resource, ['kind'], 'error', 'kind-not-managed', `${object.kind} (${object.apiVersion}) is not an FSM kind: fsm-gitops manages only MeshConfig, Plugin, PluginChain and PluginConfig, and never applies anything else. Move this manifest out of ${environment.path}/`),
      );
      continue;
    }
    const namespace = namespaceOf(object);
    const problem = namespaceProblem(info.kind, info.namespaced, namespace, object.metadata.name, environment, allowed);
    if (problem) {
      findings.push(findingAt(resource, namespace === undefined ? ['metadata'] : ['metadata', 'namespace'], 'error', problem.code, problem.message));
      continue;
    }
    const key = objectKey(object);
    const first = seen.get(key);
    if (first) {
      const at = first.locate([]);
      findings.push(findingAt(resource, ['metadata', 'name'], 'error', 'resource-duplicate', `${displayName(object)} is also defined in ${first.file}:${at.line}; keep one definition`));
      continue;
    }
    seen.set(key, resource);
    managed.push({ ...resource, kind: info.kind });
  }
  return { managed, findings };
}

function namespaceProblem(
  kind: string,
  namespaced: boolean,
  namespace: string | undefined,
  name: string,
  environment: EnvironmentConfig,
  allowed: ReadonlySet<string>,
): { code: 'namespace-not-allowed' | 'manifest-invalid'; message: string } | undefined {
  const mesh = environment.mesh;
  if (kind === 'MeshConfig') {
    if (name !== MESH_CONFIG_NAME) return { code: 'manifest-invalid', message: `FSM reads only the MeshConfig named ${MESH_CONFIG_NAME}; rename this one (metadata.name: ${MESH_CONFIG_NAME})` };
    if (namespace !== mesh.namespace) return { code: 'namespace-not-allowed', message: `the MeshConfig of mesh ${mesh.name} lives in namespace ${mesh.namespace}; set metadata.namespace: ${mesh.namespace}` };
    return undefined;
  }
  if (!namespaced) {
    return namespace === undefined ? undefined : { code: 'manifest-invalid', message: `${kind} is cluster-scoped: remove metadata.namespace` };
  }
  if (namespace === undefined) return { code: 'manifest-invalid', message: `${kind} is namespaced: set metadata.namespace (one of: ${[...allowed].join(', ') || 'none allowed'})` };
  if (!allowed.has(namespace)) {
    const from = environment.namespaces ? 'the environment\'s `namespaces` list in .github/fsm-gitops.yml' : `the namespaces mesh ${mesh.name} monitors`;
    return { code: 'namespace-not-allowed', message: `namespace ${namespace} is outside environment ${environment.name}: it may use only ${from} (${[...allowed].join(', ') || 'none'})` };
  }
  return undefined;
}
