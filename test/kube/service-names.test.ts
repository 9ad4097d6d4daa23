/**
 * The Services' LISTs behind destination-ref-missing only feed a warning: each namespace is listed on its own, and
 * one the server refuses, fails or does not answer in time is reported unlisted, with why, not raised. Only the
 * plan stopping (its signal) is raised. Real sockets on loopback (StallingKubeServer).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { listServiceNames } from '../../src/kube/service-names.ts';
import { StallingKubeServer, type Stall } from '../support/stalling-kube-server.ts';

const servers: StallingKubeServer[] = [];
const clients: KubeClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

const serviceList = (...names: string[]) => ({ kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: names.map((name) => ({ metadata: { name } })) });

async function serve(stallOf: (request: string) => Stall): Promise<{ client: KubeClient; server: StallingKubeServer }> {
  const server = await StallingKubeServer.start(stallOf);
  servers.push(server);
  const client = KubeClient.fromString(server.kubeconfig(), undefined, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  clients.push(client);
  return { client, server };
}

test('each namespace on its own: listed, refused (403), failed (500) and unanswered in time are told apart, none raised', { timeout: 30_000 }, async () => {
  const { client, server } = await serve((request) => {
    if (request.endsWith('/namespaces/bookinfo/services')) return { kind: 'answer', status: 200, body: serviceList('productpage', 'reviews') };
    if (request.endsWith('/namespaces/payments/services')) return { kind: 'answer', status: 403 };
    if (request.endsWith('/namespaces/checkout/services')) return { kind: 'answer', status: 500 };
    return { kind: 'hang' };
  });
  const services = await listServiceNames(client, ['bookinfo', 'payments', 'checkout', 'slow'], undefined, 500);
  assert.deepEqual(services.listed, new Map([['bookinfo', new Set(['productpage', 'reviews'])]]));
  assert.deepEqual([...services.unlisted.keys()].sort(), ['checkout', 'payments', 'slow']);
  assert.equal(services.unlisted.get('payments'), `${server.url} refused to list them (403 Forbidden: deploy/rbac.yaml grants list on services)`);
  assert.match(services.unlisted.get('checkout')!, /answered 500/);
  assert.equal(services.unlisted.get('slow'), `${server.url} did not answer within 0.5 s`);
});

test('the plan stopping (its signal aborted) is raised, not reported as namespaces unlisted', { timeout: 30_000 }, async () => {
  const { client, server } = await serve(() => ({ kind: 'hang' }));
  const stop = new AbortController();
  void server.reached.then(() => stop.abort(new Error('the dry run failed')));
  await assert.rejects(listServiceNames(client, ['bookinfo'], stop.signal), /the dry run failed/);
});
