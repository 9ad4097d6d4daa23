import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import type { JsonObject } from '../../src/core/json.ts';
import { acquireLock, LockBusyError } from '../../src/apply/lock.ts';
import { holderOf, LEASE_TOKEN_ANNOTATION } from '../../src/apply/lease-object.ts';
import { theirLease } from '../support/example-kube.ts';
import { clientFor, FakeKube } from '../support/fake-kube.ts';

const SERVER = 'https://kube.test:6443';
/** Retries a 500 once, as the default policy would (shortened). */
const client = clientFor(SERVER, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

interface LeaseBody {
  metadata: { annotations: Record<string, string>; resourceVersion?: string };
  spec: { holderIdentity: string };
}

test('our create answered 500, then 409 on the retry: the next read finds our token and the Lease is held at once', { timeout: 10_000 }, async () => {
  let sent: LeaseBody | undefined;
  nock(SERVER)
    .post(LEASES, (body: LeaseBody) => ((sent = body), true)).reply(500, { kind: 'Status', message: 'etcdserver: request timed out' })
    .post(LEASES).reply(409, { kind: 'Status', reason: 'AlreadyExists', message: 'leases "fsm-gitops-staging" already exists' })
    // The create went through: the server holds what we sent.
    .get(LEASE).reply(200, () => ({ ...sent, metadata: { ...sent!.metadata, resourceVersion: '7' } }) as unknown as JsonObject)
    .delete(LEASE, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '7' } }).reply(200, {});
  const waits: string[] = [];
  // No wait allowed (waitSeconds 0 refuses at once, pollMs would outlast the test): held means recognised as ours.
  const held = await acquireLock(client, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', waitSeconds: 0, pollMs: 600_000, onWait: (h) => waits.push(h.identity) });
  assert.deepEqual(waits, []);
  assert.ok(sent?.metadata.annotations[LEASE_TOKEN_ANNOTATION], 'the create carries a token');
  held.fence();
  await held.release();
  assert.ok(nock.isDone(), 'create twice, read, release with the version read');
});

test('after a 500 then 409 on our create, someone else\'s live Lease (not our token) is waited for, then refused', async () => {
  const NOW = Date.parse('2026-11-25T12:00:00Z');
  const theirs = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', resourceVersion: '9', annotations: { 'fsm-gitops.io/commit': 'abc', [LEASE_TOKEN_ANNOTATION]: 'their-token' } },
    spec: { holderIdentity: 'alice@laptop', leaseDurationSeconds: 600, renewTime: '2026-11-25T11:59:59.000000Z' },
  };
  nock(SERVER)
    .post(LEASES).reply(500, { kind: 'Status', message: 'etcdserver: request timed out' })
    .post(LEASES).reply(409, { kind: 'Status', reason: 'AlreadyExists' })
    .get(LEASE).times(20).reply(200, theirs);
  let t = NOW;
  const waits: string[] = [];
  await assert.rejects(
    acquireLock(client, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', waitSeconds: 5, pollMs: 1, now: () => new Date((t += 500)), onWait: (h) => waits.push(`${h.identity} ${h.commit}`) }),
    (e: unknown) => e instanceof LockBusyError && e.holder === 'alice@laptop' && e.commit === 'abc',
  );
  assert.ok(waits.length >= 2, `waited (${waits.length} polls)`);
  assert.ok(waits.every((w) => w === 'alice@laptop abc'));
});

const calls = (fake: FakeKube): string[] => fake.requests.map((r) => `${r.method} ${r.path}`);

test('an absent Lease is taken with one request: the create, with nothing read first', async () => {
  const fake = new FakeKube();
  const held = await acquireLock(fake, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', waitSeconds: 0 });
  assert.deepEqual(calls(fake), [`POST ${LEASES}`]);
  assert.equal(holderOf(fake.read(LEASE)!), 'me@host');
  held.fence();
  await held.release();
  assert.equal(fake.read(LEASE), undefined, 'released');
});

test('a Lease someone else holds: our create is refused and changes nothing, the Lease is read and its holder named', async () => {
  const fake = new FakeKube();
  const theirs = fake.seed(LEASE, theirLease('bob@ci', 1));
  await assert.rejects(
    acquireLock(fake, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', waitSeconds: 0 }),
    (e: unknown) => e instanceof LockBusyError && e.holder === 'bob@ci' && e.commit === 'abc',
  );
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `GET ${LEASE}`]);
  assert.deepEqual(fake.read(LEASE), theirs, 'their Lease as it was');
});

test('an expired Lease: our create is refused, then it is read and taken over on the version read', async () => {
  const fake = new FakeKube();
  const expired = fake.seed(LEASE, theirLease('crashed@ci', 120));
  const held = await acquireLock(fake, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', waitSeconds: 0 });
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `GET ${LEASE}`, `PUT ${LEASE}`]);
  const body = fake.requests[2]!.body as { metadata: { resourceVersion?: string } };
  assert.equal(body.metadata.resourceVersion, (expired['metadata'] as { resourceVersion: string }).resourceVersion);
  assert.equal(holderOf(fake.read(LEASE)!), 'me@host');
  await held.release();
});
