import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { currentHelmRelease, decodeHelmReleaseSecret, isHelmReleaseSecret } from '../../src/live/helm-release.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { fsmChart } from './helm-charts.ts';
import { seed } from './kube-test-cluster.ts';
import { exampleClusterObjects } from './plan-fixture.ts';

export const FSM_RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const CHARTS = fileURLToPath(new URL('../fixtures/fsm-reference/charts/', import.meta.url));

/**
 * FSM on a test API server as `fsm install` leaves it, minus what needs a kubelet: the example staging cluster's
 * CRDs, namespaces and MeshConfig, and FSM's real chart 1.5.1 installed by the real helm as release
 * fsm-system/fsm (--no-hooks: no kubelet runs the chart's hook Jobs; server-side=false: the 1.20 API server
 * refuses helm 4's server-side apply of the chart's Services). Returns the helm bound to the cluster.
 */
export async function installFsm(client: KubeClient): Promise<HelmClient> {
  await seed(client, exampleClusterObjects('staging').filter((o) => ['CustomResourceDefinition', 'Namespace', 'MeshConfig'].includes(o.kind)));
  const helm = await helmFor(client);
  await helm.install(FSM_RELEASE, fsmChart('1.5.1'), { fsm: { meshName: 'fsm' } }, { timeoutMs: 120_000, noHooks: true });
  return helm;
}

/**
 * The example cluster `env` (examples/cluster/<env>.yaml) on a test API server, its Helm release made by the real
 * helm from FSM's real chart instead of the snapshot's release Secrets (those store the chart's values and schema
 * only: no templates, no manifest, so a chart upgrade planned against them changes no object). The release has
 * the snapshot's story: revision 1 installed with the first revision's values, revision 2 upgraded to the
 * deployed revision's, at the deployed chart version (--no-hooks, server-side=false: see installFsm). The chart's
 * objects (the fsm-controller Deployment, its Services, ConfigMaps, RBAC) are then in the cluster as helm wrote
 * them. Returns the helm bound to the cluster.
 */
export async function seedExampleCluster(client: KubeClient, env = 'staging'): Promise<HelmClient> {
  const objects = exampleClusterObjects(env);
  const releases = objects.filter(isHelmReleaseSecret);
  const revisions = releases.map(decodeHelmReleaseSecret).sort((a, b) => a.revision - b.revision);
  const deployed = decodeHelmReleaseSecret(currentHelmRelease(releases, FSM_RELEASE.name) ?? releases.at(-1)!);
  if (!['1.5.1', '1.6.0'].includes(deployed.chartVersion)) throw new Error(`examples/cluster/${env}.yaml deploys chart ${deployed.chartVersion}: test/fixtures/fsm-reference/charts has 1.5.1 and 1.6.0`);
  await seed(client, objects.filter((o) => !isHelmReleaseSecret(o)));
  const helm = await helmFor(client);
  const chart = fsmChart(deployed.chartVersion as '1.5.1' | '1.6.0');
  const [first, ...later] = revisions.filter((r) => r.revision <= deployed.revision);
  await helm.install(FSM_RELEASE, chart, (first ?? deployed).config, { timeoutMs: 120_000, noHooks: true });
  for (const revision of later) await helm.upgrade(FSM_RELEASE, chart, revision.config, { timeoutMs: 120_000, noHooks: true });
  return helm;
}

/** The real helm bound to the test API server (server-side=false: the 1.20 API server refuses helm 4's server-side apply of the chart's Services). */
async function helmFor(client: KubeClient): Promise<HelmClient> {
  return new HelmClient(new HelmRunner({ redactor: new Redactor() }), await client.connection(), { serverSide: 'false' });
}

/** FSM's packaged charts served as a Helm chart repository on loopback, with what was asked of it. */
export interface ChartRepository {
  url: string;
  /** The file names requested, in order (index.yaml, fsm-1.6.0.tgz, ...). */
  requested: string[];
  /** From now on, serve `bytes` as the file `name` (a chart replaced in the repository). */
  replace(name: string, bytes: Buffer): void;
  close(): void;
}

/** test/fixtures/fsm-reference/charts (index.yaml, fsm-1.5.1.tgz, fsm-1.6.0.tgz; see its SOURCES.md) over HTTP on 127.0.0.1. */
export async function serveFsmCharts(): Promise<ChartRepository> {
  const requested: string[] = [];
  const replaced = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const name = basename(new URL(req.url ?? '/', 'http://x').pathname);
    requested.push(name);
    const swapped = replaced.get(name);
    if (swapped) return void res.writeHead(200).end(swapped);
    readFile(join(CHARTS, name)).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requested,
    replace: (name, bytes) => void replaced.set(name, bytes),
    close: () => void server.close(),
  };
}
