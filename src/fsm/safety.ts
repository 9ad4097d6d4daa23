import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { Finding } from '../core/finding.ts';
import { findingAt } from '../core/findings.ts';
import { displayName, namespaceOf, objectKey } from '../core/kube.ts';
import type { DesiredResource } from '../desired/desired-state.ts';
import { fsmKindOf, hasFsmApiVersion, MESH_CONFIG_NAME } from './kinds.ts';
import { dnsLabelProblem, objectNameProblem } from '../core/names.ts';
import type { ManagedResource } from './rules/rule.ts';
import { didYouMean as suggestKey } from '../core/did-you-mean.ts';

export interface Classified {
  managed: ManagedResource[];
  /** Refused only for where they are (a namespace): never applied, but their content is still checked (PlanContext.misplaced). */
  misplaced: ManagedResource[];
  findings: Finding[];
}

/**
 * Sorts the repository's resources into those fsm-gitops may manage and those it must refuse:
 * kinds that are not FSM's, namespaces outside the environment, duplicates. Refused resources are never applied; those
 * refused only for their namespace are returned as `misplaced`, for the rules that check one manifest's own content.
 */
export function classifyResources(resources: readonly DesiredResource[], environment: EnvironmentConfig, allowedNamespaces: readonly string[]): Classified {
  const managed: ManagedResource[] = [];
  const misplaced: ManagedResource[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, DesiredResource>();
  const allowed = new Set(allowedNamespaces);

  for (const resource of resources) {
    const { object } = resource;
    const info = fsmKindOf(object);
    if (!info) {
      findings.push(
        findingAt(resource, ['kind'], 'error', 'kind-not-managed', kindNotManaged(object.kind, object.apiVersion, environment.path)),
      );
      continue;
    }
    if (!hasFsmApiVersion(object)) {
      findings.push(findingAt(resource, ['apiVersion'], 'error', 'manifest-invalid', `apiVersion ${JSON.stringify(object.apiVersion)} is not ${info.group}/<version> (a version such as v1alpha1): FSM's ${info.kind} has no other form`));
      continue;
    }
    const namespace = namespaceOf(object);
    const problem = nameProblem(info.kind, object.metadata.name, object.metadata['namespace']) ?? namespaceProblem(info.kind, info.namespaced, namespace, object.metadata.name, environment, allowed);
    if (problem) {
      pushScopeFinding(findings, resource, problem);
      if (problem.field === 'namespace' && problem.code !== 'metadata-invalid') misplaced.push({ ...resource, kind: info.kind });
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
  return { managed, misplaced, findings };
}

function pushScopeFinding(findings: Finding[], resource: DesiredResource, problem: Problem): void {
  const path = problem.field === 'name' ? ['metadata', 'name'] : resource.object.metadata['namespace'] === undefined ? ['metadata'] : ['metadata', 'namespace'];
  findings.push(findingAt(resource, path, 'error', problem.code, problem.message));
}

interface Problem {
  code: 'namespace-not-allowed' | 'manifest-invalid' | 'metadata-invalid';
  message: string;
  field: 'name' | 'namespace';
}

/**
 * Names the API server would refuse (ValidateObjectMetaAccessor: every FSM kind is a custom resource, so its name
 * is a DNS-1123 subdomain, NameIsDNSSubdomain, and its namespace a DNS-1123 label, ValidateNamespaceName); a
 * name is also used to find a Plugin's .js file, so it must not be a path.
 */
function nameProblem(kind: string, name: string, namespace: unknown): Problem | undefined {
  const nameInvalid = objectNameProblem(name);
  if (nameInvalid) return { code: 'metadata-invalid', field: 'name', message: `${kind} name ${JSON.stringify(name)} is not a valid object name: it ${nameInvalid}` };
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    return { code: 'metadata-invalid', field: 'namespace', message: `metadata.namespace must be a string, not ${JSON.stringify(namespace)}: quote it` };
  }
  const namespaceInvalid = typeof namespace === 'string' && namespace !== '' ? dnsLabelProblem(namespace) : undefined;
  if (namespaceInvalid) return { code: 'metadata-invalid', field: 'namespace', message: `namespace ${JSON.stringify(namespace)} is not a valid namespace name: it ${namespaceInvalid}` };
  return undefined;
}

function namespaceProblem(
  kind: string,
  namespaced: boolean,
  namespace: string | undefined,
  name: string,
  environment: EnvironmentConfig,
  allowed: ReadonlySet<string>,
): Problem | undefined {
  const mesh = environment.mesh;
  if (kind === 'MeshConfig') {
    if (name !== MESH_CONFIG_NAME) return { code: 'manifest-invalid', field: 'name', message: `FSM reads only the MeshConfig named ${MESH_CONFIG_NAME}; rename this one (metadata.name: ${MESH_CONFIG_NAME})` };
    if (namespace !== mesh.namespace) return { code: 'namespace-not-allowed', field: 'namespace', message: `the MeshConfig of mesh ${mesh.name} lives in namespace ${mesh.namespace}; set metadata.namespace: ${mesh.namespace}` };
    return undefined;
  }
  if (!namespaced) {
    // The API server would drop it silently; fsm-gitops would then compare and prune by the wrong identity.
    return namespace === undefined ? undefined : { code: 'manifest-invalid', field: 'namespace', message: `${kind} is cluster-scoped: remove metadata.namespace (the API server ignores it, so the object would not be where this file says)` };
  }
  if (namespace === undefined) return { code: 'manifest-invalid', field: 'namespace', message: `${kind} is namespaced: set metadata.namespace (one of: ${[...allowed].join(', ') || 'none allowed'})` };
  if (!allowed.has(namespace)) {
    const from = environment.namespaces ? 'the environment\'s `namespaces` list in .github/fsm-gitops.yml' : `the namespaces mesh ${mesh.name} monitors`;
    return { code: 'namespace-not-allowed', field: 'namespace', message: `namespace ${namespace} is outside environment ${environment.name}: it may use only ${from} (${[...allowed].join(', ') || 'none'})` };
  }
  return undefined;
}

const MANAGED_KINDS = ['MeshConfig', 'Plugin', 'PluginChain', 'PluginConfig'];

/** Why a kind is refused; a near miss of a managed kind (`PlugInChain`, `Plugins`) is a typo to fix, not a manifest to move. */
function kindNotManaged(kind: string, apiVersion: string, path: string): string {
  const typo = suggestKey(kind, MANAGED_KINDS);
  const what = `${kind} (${apiVersion}) is not a kind fsm-gitops manages: it manages only MeshConfig, Plugin, PluginChain and PluginConfig, and never applies anything else`;
  return typo ? `${what}. Did you mean kind: ${typo}? Kinds are case-sensitive` : `${what}. Move this manifest out of ${path}/`;
}
