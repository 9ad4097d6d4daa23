import type { LiveState, MeshRef } from './live-state.ts';

/**
 * The shell command that takes a complete snapshot for `fsm-gitops plan --cluster FILE`: FSM's CRDs and
 * objects, namespaces and workloads, then (after a `---`) only the mesh's Helm release Secrets (Helm 3
 * labels them owner=helm, name=<release>), never all Secrets. Lines joined by "\n".
 */
export function snapshotCommand(mesh: MeshRef): string {
  return [
    '{ kubectl get crd,meshconfigs,plugins,pluginchains,pluginconfigs,namespaces,deployments,statefulsets,daemonsets -A -o yaml --show-managed-fields',
    '  echo ---',
    `  kubectl get secrets -n ${mesh.namespace} -l owner=helm,name=${mesh.name} -o yaml`,
    '  echo ---',
    '  kubectl version -o yaml; } > snapshot.yaml',
  ].join('\n');
}

/** The command on one line, for a finding message. */
const retake = (mesh: MeshRef): string => `take the snapshot again with: ${snapshotCommand(mesh).split('\n').map((line) => line.trim()).join('; ')}`;

/**
 * Why a kind has no CRD: from a cluster, FSM is missing or too old; from a snapshot, the snapshot was taken
 * without it (which says nothing about the cluster) and how to take a complete one.
 */
export function missingCrd(live: LiveState, mesh: MeshRef, kind: string, group: string): string {
  const what = `CustomResourceDefinition for ${kind} (${group})`;
  if (live.origin === 'snapshot') {
    return `the snapshot ${live.source} holds no ${what}: it was taken without FSM's CRDs, which plan validates against; ${retake(mesh)}`;
  }
  return `the cluster has no ${what}: is FSM installed, and at a version that has this kind?`;
}

/** Why there is no deployed Helm release of the mesh: the cluster has none, or the snapshot left its Secret out. */
export function missingRelease(live: LiveState, mesh: MeshRef): string {
  if (live.origin === 'snapshot') {
    return `the snapshot ${live.source} holds no Helm release Secret of "${mesh.name}" in ${mesh.namespace} (the deployed values and values.schema.json are in it); ${retake(mesh)}`;
  }
  return `no deployed FSM Helm release "${mesh.name}" was found in ${mesh.namespace} (${live.source})`;
}

/**
 * Why the mesh has no MeshConfig to merge the repository's onto: FSM's bootstrap creates `fsm-mesh-config` in the
 * mesh's namespace at install, so from a cluster, FSM is not installed there (or runs in another namespace); from a
 * snapshot, the snapshot left it out.
 */
export function missingMeshConfig(live: LiveState, mesh: MeshRef, environment: string): string {
  if (live.origin === 'snapshot') return `the snapshot ${live.source} holds no MeshConfig fsm-mesh-config in namespace ${mesh.namespace}; ${retake(mesh)}`;
  const noNamespace = live.namespaces.length > 0 && !live.namespaces.some((ns) => ns.metadata.name === mesh.namespace);
  return (
    `the cluster has no MeshConfig fsm-mesh-config in namespace ${mesh.namespace}${noNamespace ? ` (there is no namespace ${mesh.namespace})` : ''}: ` +
    `FSM's bootstrap creates it when FSM is installed, and fsm-gitops only changes it (this file's fields are merged onto it). ` +
    `If FSM runs in another namespace, set mesh.namespace for environment ${environment} in .github/fsm-gitops.yml; else install FSM in ${mesh.namespace} first`
  );
}
