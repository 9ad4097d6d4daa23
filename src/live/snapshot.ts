import { readFile } from 'node:fs/promises';
import valid from 'semver/functions/valid.js';
import { isObject, type JsonValue } from '../core/json.ts';
import { isKubeObject, labelsOf, namespaceOf, type KubeObject } from '../core/kube.ts';
import { decodeTextFile } from '../desired/text-file.ts';
import { parseYamlFile } from '../desired/yaml-file.ts';
import { fsmKindOf, MESH_CONFIG_NAME } from '../fsm/kinds.ts';
import { currentHelmRelease, decodeHelmReleaseSecret, HelmReleaseDecodeError, isHelmReleaseSecret, latestRevision } from './helm-release.ts';
import { LiveStateError, type LiveOrigin, type LiveState, type LiveStateReader, type MeshRef } from './live-state.ts';
import { MONITORED_BY_LABEL } from './mesh-scope.ts';

const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;
const FSM_GROUPS = new Set(['config.flomesh.io', 'plugin.flomesh.io']);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Live state from a file of objects as `kubectl get -o yaml` prints them (multi-document YAML, or a v1 List). */
export class SnapshotReader implements LiveStateReader {
  constructor(private readonly path: string) {}

  async read(mesh: MeshRef): Promise<LiveState> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      throw new LiveStateError(`cannot read cluster snapshot ${this.path}: ${(error as Error).message}`);
    }
    const { objects, kubeVersion } = parseSnapshotFile(this.path, bytes);
    const live = liveStateFromObjects(this.path, objects, mesh);
    return kubeVersion ? { ...live, kubeVersion } : live;
  }
}

/** The snapshot's Kubernetes objects (parseSnapshotFile without the cluster's version). */
export function parseSnapshot(name: string, bytes: Uint8Array): KubeObject[] {
  return parseSnapshotFile(name, bytes).objects;
}

/**
 * A snapshot file: its Kubernetes objects, and the cluster's version (`serverVersion.gitVersion`, e.g.
 * `v1.30.4-eks-a737599`) when it holds the output of `kubectl version -o yaml` (or `-o json`) as a document of
 * its own. Throws LiveStateError, naming the file, for what is neither, a version that is not SemVer, or two.
 */
export function parseSnapshotFile(name: string, bytes: Uint8Array): { objects: KubeObject[]; kubeVersion?: string } {
  const text = decodeTextFile(bytes, MAX_SNAPSHOT_BYTES);
  if (!text.ok) throw new LiveStateError(`cluster snapshot ${name}:${text.line}:${text.column}: ${text.message}`);
  const parsed = parseYamlFile(text.text, name, { locations: false });
  if (!parsed.ok) throw new LiveStateError(`cluster snapshot ${name}:${parsed.line}:${parsed.column}: ${parsed.message}`);
  const objects: KubeObject[] = [];
  let kubeVersion: string | undefined;
  const add = (value: JsonValue): void => {
    if (isObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items'])) {
      value['items'].forEach(add);
    } else if (isKubeObject(value)) {
      objects.push(value);
    } else if (isObject(value) && value['kind'] === undefined && isObject(value['serverVersion'])) {
      if (kubeVersion !== undefined) throw new LiveStateError(`cluster snapshot ${name}: holds the output of kubectl version twice`);
      kubeVersion = serverVersion(name, value['serverVersion']['gitVersion']);
    } else if (value !== null) {
      throw new LiveStateError(`cluster snapshot ${name}: holds something that is not a Kubernetes object (${JSON.stringify(value).slice(0, 60)})`);
    }
  };
  for (const document of parsed.documents) add(document.value);
  return kubeVersion ? { objects, kubeVersion } : { objects };
}

/** `kubectl version`'s serverVersion.gitVersion, checked to be a version helm's --kube-version takes (SemVer, a leading v). */
function serverVersion(name: string, gitVersion: JsonValue | undefined): string {
  if (typeof gitVersion !== 'string' || !valid(gitVersion)) {
    throw new LiveStateError(`cluster snapshot ${name}: the kubectl version output's serverVersion.gitVersion ${JSON.stringify(gitVersion ?? null).slice(0, 60)} is not a Kubernetes version such as v1.30.4`);
  }
  return gitVersion;
}

/** The mesh's Helm release as a live state holds it: the deployed revision decoded, and the newest revision's status. */
export type HelmReleaseState = Pick<LiveState, 'helmRelease' | 'helmReleaseLatest'>;

/**
 * The mesh's Helm release among `objects` (its release Secrets in the mesh's namespace), read from `source`.
 * Throws LiveStateError, naming `source`, when the deployed revision's Secret does not decode or holds
 * another release than the mesh's.
 */
export function helmReleaseFromObjects(source: string, objects: readonly KubeObject[], mesh: MeshRef): HelmReleaseState {
  const helmSecrets = objects.filter((o) => o.kind === 'Secret' && namespaceOf(o) === mesh.namespace && isHelmReleaseSecret(o));
  const releaseSecret = currentHelmRelease(helmSecrets, mesh.name);
  let helmRelease;
  try {
    helmRelease = releaseSecret ? decodeHelmReleaseSecret(releaseSecret) : undefined;
    if (helmRelease && helmRelease.name !== mesh.name) {
      throw new HelmReleaseDecodeError(`${mesh.namespace}/${releaseSecret!.metadata.name}`, `holds release "${helmRelease.name}", not the mesh's release "${mesh.name}"`);
    }
  } catch (error) {
    if (error instanceof HelmReleaseDecodeError) throw new LiveStateError(`cluster snapshot ${source}: ${error.message}`);
    throw error;
  }
  const helmReleaseLatest = latestRevision(helmSecrets, mesh.name);
  return { helmRelease, ...(helmReleaseLatest ? { helmReleaseLatest } : {}) };
}

/**
 * The live state in `objects`, read from `source`: a snapshot file unless `origin` says an API server.
 * `helm`: helmReleaseFromObjects of the same objects, when the caller made it already (the cluster reader,
 * as soon as the Secrets are listed); its errors are raised here otherwise.
 */
export function liveStateFromObjects(
  source: string,
  objects: KubeObject[],
  mesh: MeshRef,
  origin: LiveOrigin = 'snapshot',
  helm: HelmReleaseState = helmReleaseFromObjects(source, objects, mesh),
): LiveState {
  const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1');
  const monitored = new Set(namespaces.filter((ns) => labelsOf(ns)[MONITORED_BY_LABEL] === mesh.name).map((ns) => ns.metadata.name));
  return {
    source,
    origin,
    crds: objects.filter(
      (o) => o.kind === 'CustomResourceDefinition' && isObject(o['spec']) && FSM_GROUPS.has(String(o['spec']['group'])),
    ),
    // FSM reads only the MeshConfig of this name (safety.ts refuses any other): another one beside it is not the mesh's.
    meshConfig: objects.find((o) => fsmKindOf(o)?.kind === 'MeshConfig' && namespaceOf(o) === mesh.namespace && o.metadata.name === MESH_CONFIG_NAME),
    pluginObjects: objects.filter((o) => {
      const kind = fsmKindOf(o)?.kind;
      return kind !== undefined && kind !== 'MeshConfig';
    }),
    ...helm,
    namespaces,
    workloads: objects.filter((o) => WORKLOAD_KINDS.has(o.kind) && monitored.has(namespaceOf(o) ?? '')),
  };
}
