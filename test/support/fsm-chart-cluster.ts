import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
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
  const helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), await client.connection(), { serverSide: 'false' });
  await helm.install(FSM_RELEASE, fsmChart('1.5.1'), { fsm: { meshName: 'fsm' } }, { timeoutMs: 120_000, noHooks: true });
  return helm;
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
