/**
 * A plan of two environments whose first cluster fails while the second's live read, started ahead, is still
 * in flight: that read is stopped (no further attempt, no retry sleep, its connections closed) and the first
 * error is raised at once, not after the second cluster's retries. Real sockets on loopback (no nock here).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { LiveStateError } from '../../src/live/live-state.ts';
import { planRepository } from '../../src/workflow/plan-repository.ts';
import { CONFIG_FILE, TWO_ENVIRONMENTS_CONFIG } from '../support/plan-fixture.ts';
import { StallingKubeServer, type Stall } from '../support/stalling-kube-server.ts';

const MESH_CONFIG = `apiVersion: flomesh.io/v1alpha1
kind: MeshConfig
metadata: { name: fsm-mesh-config, namespace: fsm-system }
spec: {}
`;
const repo = (): MemoryRepo =>
  new MemoryRepo({ [CONFIG_FILE]: TWO_ENVIRONMENTS_CONFIG, 'clusters/staging/mesh.yaml': MESH_CONFIG, 'clusters/production/mesh.yaml': MESH_CONFIG });

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));
const servers: StallingKubeServer[] = [];
const clients: KubeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/**
 * Staging's server refuses every request (403, not retried), but only once production's server has seen a
 * request: production's read, started ahead, is in flight when staging's plan fails. Production does `stall`.
 */
async function planWithFailingStaging(stall: Stall): Promise<{ error: unknown; production: StallingKubeServer; staging: StallingKubeServer }> {
  const production = await StallingKubeServer.start(stall);
  const staging = await StallingKubeServer.start({ kind: 'answer', status: 403 }, production.reached);
  servers.push(production, staging);
  const clientOf = (server: StallingKubeServer): KubeClient => {
    const client = KubeClient.fromString(server.kubeconfig(), undefined, { timeoutMs: 120_000 });
    clients.push(client);
    return client;
  };
  const readers = { staging: new ClusterReader(clientOf(staging)), production: new ClusterReader(clientOf(production)) };
  const error = await planRepository({ repo: repo(), environments: [], liveStateFor: (e) => readers[e.name as keyof typeof readers] }).then(
    () => assert.fail('the plan should fail'),
    (raised: unknown) => raised,
  );
  return { error, production, staging };
}

const isStagings = (error: unknown, staging: StallingKubeServer): boolean =>
  error instanceof LiveStateError && error.message.includes(staging.url) && /lack a permission/.test(error.message);

test('a read ahead that the server keeps answering 503 (Retry-After) is not retried once the plan failed; the first error is raised', { timeout: 30_000 }, async () => {
  const { error, production, staging } = await planWithFailingStaging({ kind: 'answer', status: 503, retryAfter: 1 });
  assert.ok(isStagings(error, staging), String(error));
  assert.ok(production.requests.length > 0, 'production was being read');
  assert.deepEqual(production.repeated(), [], 'no request of production\'s read was sent again (no retry before the failure)');
  // Longer than the Retry-After: a retry still pending would have been sent by now.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.deepEqual(production.repeated(), [], 'nor after it');
  assert.deepEqual(unhandled, []);
});

test('a read ahead that the server never answers is stopped, its connections closed, when the plan fails', { timeout: 30_000 }, async () => {
  const { error, production, staging } = await planWithFailingStaging({ kind: 'hang' });
  assert.ok(isStagings(error, staging), String(error));
  assert.ok(production.requests.length > 0, 'production was being read');
  // Without the stop, the requests stay open until their 120 s timeout: this test's own timeout fails it.
  assert.deepEqual(await production.repeatedOnceQuiet(), [], 'no request sent again');
  assert.equal(production.openSockets, 0);
  assert.deepEqual(unhandled, []);
});
