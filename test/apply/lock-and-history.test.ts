import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { HISTORY_LIMIT, recordApply, type ApplyRecord } from '../../src/apply/history.ts';
import { acquireLock, LockBusyError } from '../../src/apply/lock.ts';
import { clientFor } from '../support/fake-kube.ts';

const SERVER = 'https://kube.test:6443';
const client = clientFor(SERVER, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;
const EXISTS = { kind: 'Status', reason: 'AlreadyExists' };
const NOW = new Date('2026-11-25T12:00:00Z');

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

const lease = (holder: string, renewTime: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', resourceVersion: '42', annotations: { 'fsm-gitops.io/commit': 'abc' } },
  spec: { holderIdentity: holder, leaseDurationSeconds: 600, renewTime },
});

test('an expired lease (its holder crashed) is taken over, conditionally on its resourceVersion', async () => {
  let putBody: { metadata: { resourceVersion?: string }; spec: { holderIdentity: string } } | undefined;
  nock(SERVER)
    .post(LEASES).reply(409, EXISTS)
    .get(LEASE).reply(200, lease('crashed-worker', '2026-11-25T11:00:00.000000Z'))
    .put(LEASE, (body: typeof putBody) => ((putBody = body), true)).reply(200, { metadata: { resourceVersion: '43' } })
    .delete(LEASE, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '43' } }).reply(200, {});
  const held = await acquireLock(client, 'fsm-system', 'staging', { holder: 'me', commit: 'def', now: () => NOW });
  assert.equal(putBody?.metadata.resourceVersion, '42');
  assert.equal(putBody?.spec.holderIdentity, 'me');
  await held.release();
  assert.ok(nock.isDone());
});

test('a live lease is waited for, then refused naming its holder and commit', async () => {
  nock(SERVER).post(LEASES).reply(409, EXISTS).get(LEASE).times(20).reply(200, lease('alice@laptop', '2026-11-25T11:59:00.000000Z'));
  let t = NOW.getTime();
  const waits: string[] = [];
  await assert.rejects(
    acquireLock(client, 'fsm-system', 'staging', { holder: 'me', commit: 'def', waitSeconds: 10, pollMs: 1, now: () => new Date((t += 1000)), onWait: (h) => waits.push(h.identity) }),
    (e: unknown) => e instanceof LockBusyError && e.holder === 'alice@laptop' && e.commit === 'abc',
  );
  assert.ok(waits.length >= 1);
});

test('losing the race to create the lease means looking again, not failing', async () => {
  nock(SERVER)
    .post(LEASES).reply(409, EXISTS)
    // Released between our create and our read; someone else creates it before our second create.
    .get(LEASE).reply(404, {})
    .post(LEASES).reply(409, EXISTS)
    .get(LEASE).reply(200, lease('other', '2026-11-25T11:00:00.000000Z'))
    .put(LEASE).reply(200, { metadata: { resourceVersion: '50' } });
  await acquireLock(client, 'fsm-system', 'staging', { holder: 'me', commit: 'def', pollMs: 1, now: () => NOW });
  assert.ok(nock.isDone());
});

test('the history keeps the last 20 applies, newest first', async () => {
  const old: ApplyRecord[] = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ commit: `c${i}`, time: 't', actor: 'a', result: 'applied', changes: [] }));
  let written: ApplyRecord[] = [];
  const path = '/api/v1/namespaces/fsm-system/configmaps/fsm-gitops-history-staging';
  nock(SERVER)
    .get(path).reply(200, { metadata: { name: 'fsm-gitops-history-staging' }, data: { 'history.json': JSON.stringify(old) } })
    .put(path, (body: { data: { 'history.json': string } }) => ((written = JSON.parse(body.data['history.json']) as ApplyRecord[]), true)).reply(200, {});
  await recordApply(client, 'fsm-system', 'staging', { commit: 'new', time: 't', actor: 'a', result: 'rolled-back', changes: ['create Plugin x'] });
  assert.equal(written.length, HISTORY_LIMIT);
  assert.equal(written[0]?.commit, 'new');
  assert.equal(written.at(-1)?.commit, `c${HISTORY_LIMIT - 2}`);
});
