import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject, type JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { collectionPath, CRDS, objectPath, typeFor } from '../../src/kube/resource-paths.ts';
import { exampleClusterObjects } from './plan-fixture.ts';

const SCRIPTS = fileURLToPath(new URL('../../scripts/kube-test-cluster/', import.meta.url));

/**
 * The CLI flags that say the test cluster's context ("kube-test-cluster", scripts/kube-test-cluster/start)
 * serves environment ENV, whose `cluster:` names another cluster (src/cli/kube-flags.ts).
 */
export const serves = (env = 'staging', context = 'kube-test-cluster'): string[] => ['--context', `${env}=${context}`];

/** Starts a fresh kube-apiserver on loopback (scripts/kube-test-cluster) and returns its kubeconfig path. */
export function startCluster(): string {
  const out = execFileSync(`${SCRIPTS}start`, [], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KUBE_TEST_CLUSTER_WATCH_PID: String(process.pid) },
    timeout: 20 * 60_000,
  });
  const match = /^KUBECONFIG=(.+)$/m.exec(out);
  if (!match?.[1]) throw new Error(`kube-test-cluster/start printed no KUBECONFIG line:\n${out}`);
  return match[1];
}

export function stopCluster(kubeconfig: string): void {
  execFileSync(`${SCRIPTS}stop`, [dirname(kubeconfig)], { stdio: 'inherit' });
}

const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink'];

/** The object as one would create it: no status, no server-set metadata. */
export function asManifest(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = structuredClone(object);
  for (const field of SERVER_FIELDS) delete rest.metadata[field];
  return rest;
}

const PLURALS: Record<string, [string, boolean]> = {
  Namespace: ['namespaces', false],
  Secret: ['secrets', true],
  ConfigMap: ['configmaps', true],
  Deployment: ['deployments', true],
  StatefulSet: ['statefulsets', true],
  DaemonSet: ['daemonsets', true],
  MeshConfig: ['meshconfigs', true],
  Plugin: ['plugins', false],
  PluginChain: ['pluginchains', true],
  PluginConfig: ['pluginconfigs', true],
  CustomResourceDefinition: ['customresourcedefinitions', false],
  Service: ['services', true],
  ServiceAccount: ['serviceaccounts', true],
  ClusterRole: ['clusterroles', false],
  ClusterRoleBinding: ['clusterrolebindings', false],
  Role: ['roles', true],
  RoleBinding: ['rolebindings', true],
};

export function pathOf(object: KubeObject): string {
  const [plural, namespaced] = PLURALS[object.kind] ?? [];
  if (!plural) throw new Error(`no path known for ${object.kind}`);
  const namespace = namespaced ? String(object.metadata['namespace']) : undefined;
  return objectPath(typeFor(object.apiVersion, plural, namespaced ?? false), namespace, object.metadata.name);
}

export async function create(client: KubeClient, object: KubeObject, fieldManager?: string): Promise<JsonObject> {
  const path = pathOf(object);
  return client.request({ method: 'POST', path: path.slice(0, path.lastIndexOf('/')), query: { fieldManager }, body: asManifest(object), what: `create ${object.kind} ${object.metadata.name}` });
}

/**
 * Loads snapshot objects into an empty cluster: CRDs first (waiting until established), then namespaces, then
 * the rest. The MeshConfig is created by field manager fsm-bootstrap, as FSM's bootstrap does.
 */
export async function seed(client: KubeClient, objects: KubeObject[]): Promise<void> {
  const rank = (o: KubeObject): number => (o.kind === 'CustomResourceDefinition' ? 0 : o.kind === 'Namespace' ? 1 : 2);
  const sorted = [...objects].sort((a, b) => rank(a) - rank(b));
  for (const object of sorted.filter((o) => rank(o) === 0)) await create(client, object);
  await waitForCrds(client, sorted.filter((o) => rank(o) === 0).map((o) => o.metadata.name));
  for (const object of sorted.filter((o) => rank(o) > 0)) {
    if (object.kind === 'Namespace' && object.metadata.name === 'default') continue;
    await create(client, object, object.kind === 'MeshConfig' ? 'fsm-bootstrap' : undefined);
  }
}

async function waitForCrds(client: KubeClient, names: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const name of names) {
    for (;;) {
      const crd = await client.get(`${collectionPath(CRDS)}/${name}`, `read CRD ${name}`);
      const conditions = isObject(crd?.['status']) && Array.isArray(crd['status']['conditions']) ? crd['status']['conditions'] : [];
      if (conditions.some((c) => isObject(c) && c['type'] === 'Established' && c['status'] === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A fresh cluster loaded with the objects (default: the example staging snapshot), and an admin client for it. */
export async function startSeededCluster(objects?: KubeObject[]): Promise<{ kubeconfig: string; client: KubeClient }> {
  const kubeconfig = startCluster();
  const client = KubeClient.fromFile(kubeconfig);
  await seed(client, objects ?? exampleClusterObjects('staging'));
  return { kubeconfig, client };
}
