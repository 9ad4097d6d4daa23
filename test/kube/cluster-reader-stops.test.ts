/**
 * One cluster's live read fails with the error it reports (a CRD refused, the first step) while its other
 * requests are still in flight or waiting to be retried: those are stopped, not waited for (no retry, their
 * connections closed), and the error is the CRD's. Real sockets on loopback (StallingKubeServer, no nock).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { LiveStateError } from '../../src/live/live-state.ts';
import { StallingKubeServer, type Stall } from '../support/stalling-kube-server.ts';

const MESH = { name: 'fsm', namespace: 'fsm-system' };
const MESH_CONFIG_CRD = 'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/meshconfigs.config.flomesh.io';
/** What a read sends before any answer: 4 CRD GETs, 4 FSM kind LISTs, the Secrets' and the namespaces' LISTs. */
const FIRST_REQUESTS = 10;

const servers: StallingKubeServer[] = [];
const clients: KubeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/**
 * Reads a cluster whose MeshConfig CRD is refused (403) once every first request has arrived; every other
 * request does `others`. Returns the read's error and the server.
 */
async function readWithRefusedCrd(others: Stall): Promise<{ error: unknown; server: StallingKubeServer }> {
  let everyFirstArrived!: () => void;
  const gate = new Promise<void>((resolve) => (everyFirstArrived = resolve));
  const server = await StallingKubeServer.start((request) => (request === MESH_CONFIG_CRD ? { kind: 'answer', status: 403, gate } : others));
  servers.push(server);
  void server.seen(FIRST_REQUESTS).then(everyFirstArrived);
  const client = KubeClient.fromString(server.kubeconfig(), undefined, { timeoutMs: 120_000 });
  clients.push(client);
  const error = await new ClusterReader(client).read(MESH).then(
    () => assert.fail('the read should fail'),
    (raised: unknown) => raised,
  );
  return { error, server };
}

const isCrdRefusal = (error: unknown, server: StallingKubeServer): boolean =>
  error instanceof LiveStateError && error.message.includes(server.url) && /lack a permission/.test(error.message) && /meshconfigs\.config\.flomesh\.io/.test(error.message);

test('requests never answered are cut off once the CRD is refused: the CRD\'s error, every connection closed', { timeout: 30_000 }, async () => {
  const { error, server } = await readWithRefusedCrd({ kind: 'hang' });
  assert.ok(isCrdRefusal(error, server), String(error));
  assert.equal(new Set(server.requests).size, FIRST_REQUESTS, 'the others were in flight');
  // Without the stop, the read waits for its requests' 120 s timeout: the test's own timeout fails it.
  assert.deepEqual(await server.repeatedOnceQuiet(), [], 'none sent again');
  assert.equal(server.openSockets, 0);
});

test('requests answered 503 with Retry-After are not retried once the CRD is refused', { timeout: 30_000 }, async () => {
  const { error, server } = await readWithRefusedCrd({ kind: 'answer', status: 503, retryAfter: 1 });
  assert.ok(isCrdRefusal(error, server), String(error));
  assert.deepEqual(server.repeated(), [], 'no request sent again before the error');
  // Longer than the Retry-After: a retry still pending would have been sent by now.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.deepEqual(server.repeated(), [], 'nor after it');
});
