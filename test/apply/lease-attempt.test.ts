/**
 * The Lease's create sent ahead (LeaseAttempt, the CLI's head start) and handed to acquireLock: a 201 is the
 * lock, a 409 that create's 409, anything else as if it had not been sent (same token); let go unused, the
 * Lease it took (or may have taken) is deleted, someone else's is left.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaseAttempt } from '../../src/apply/lease-attempt.ts';
import { holderOf, tokenOf } from '../../src/apply/lease-object.ts';
import { acquireLock, LockBusyError } from '../../src/apply/lock.ts';
import { theirLease } from '../support/example-kube.ts';
import { apiError, FakeKube } from '../support/fake-kube.ts';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;
const OPTIONS = { holder: 'me@host', commit: 'def' };
const calls = (fake: FakeKube): string[] => fake.requests.map((r) => `${r.method} ${r.path}`);

test('a create sent ahead and answered 201 is the lock acquireLock returns: no second request, renewed, released', async () => {
  const fake = new FakeKube();
  const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
  const held = await acquireLock(fake, 'fsm-system', 'staging', { ...OPTIONS, waitSeconds: 0 }, attempt);
  assert.equal(held, await attempt.held());
  assert.deepEqual(calls(fake), [`POST ${LEASES}`]);
  assert.equal(holderOf(fake.read(LEASE)!), 'me@host');
  assert.ok(held.fence() > 0);
  await held.release();
  assert.equal(fake.read(LEASE), undefined);
});

test('a create sent ahead and answered 409: acquireLock reads the Lease next (no second create), names the holder as without', async () => {
  const fake = new FakeKube();
  const theirs = fake.seed(LEASE, theirLease('bob@ci', 1));
  const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
  await assert.rejects(acquireLock(fake, 'fsm-system', 'staging', { ...OPTIONS, waitSeconds: 0 }, attempt), (e: unknown) => e instanceof LockBusyError && e.holder === 'bob@ci' && e.commit === 'abc');
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `GET ${LEASE}`], 'the requests of acquireLock alone');
  assert.deepEqual(fake.read(LEASE), theirs);
});

test('a create sent ahead and answered 409 on an expired Lease: taken over on the version read', async () => {
  const fake = new FakeKube();
  fake.seed(LEASE, theirLease('crashed@ci', 120));
  const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
  const held = await acquireLock(fake, 'fsm-system', 'staging', { ...OPTIONS, waitSeconds: 0 }, attempt);
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `GET ${LEASE}`, `PUT ${LEASE}`]);
  assert.equal(tokenOf(fake.read(LEASE)!), attempt.claim.token, 'the takeover carries the attempt\'s token');
  await held.release();
});

test('a create sent ahead that went through unanswered: acquireLock sends it again with the same token, and finds the Lease ours', async () => {
  const fake = new FakeKube();
  let posts = 0;
  fake.fault = (request) => (request.method === 'POST' && ++posts === 1 ? 'lost-answer' : 'pass');
  const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
  assert.equal(await attempt.held(), undefined);
  const held = await acquireLock(fake, 'fsm-system', 'staging', { ...OPTIONS, waitSeconds: 0, pollMs: 600_000 }, attempt);
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `POST ${LEASES}`, `GET ${LEASE}`]);
  assert.equal(tokenOf(fake.read(LEASE)!), attempt.claim.token);
  await held.release();
  assert.equal(fake.read(LEASE), undefined);
});

test('a create sent ahead for another holder is let go, and acquireLock takes the Lease for its own', async () => {
  const fake = new FakeKube();
  const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', { holder: 'someone@else', commit: 'def' });
  const held = await acquireLock(fake, 'fsm-system', 'staging', { ...OPTIONS, waitSeconds: 0 }, attempt);
  assert.deepEqual(calls(fake), [`POST ${LEASES}`, `DELETE ${LEASE}`, `POST ${LEASES}`]);
  assert.equal(holderOf(fake.read(LEASE)!), 'me@host');
  await held.release();
});

test('abandon: the Lease taken is deleted; one that may have been taken unanswered is read and deleted if ours; a refused create reads nothing; someone else\'s is left', async (t) => {
  await t.test('taken (201)', async () => {
    const fake = new FakeKube();
    const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
    assert.equal(await attempt.abandon(fake), undefined);
    assert.deepEqual(calls(fake), [`POST ${LEASES}`, `DELETE ${LEASE}`]);
    assert.equal(fake.read(LEASE), undefined);
  });
  await t.test('written, answer lost (500)', async () => {
    const fake = new FakeKube();
    fake.fault = (request) => (request.method === 'POST' ? 'lost-answer' : 'pass');
    const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
    assert.equal(await attempt.abandon(fake), undefined);
    assert.deepEqual(calls(fake), [`POST ${LEASES}`, `GET ${LEASE}`, `DELETE ${LEASE}`]);
    assert.equal(fake.read(LEASE), undefined);
  });
  await t.test('refused (403)', async () => {
    const fake = new FakeKube();
    fake.fault = () => apiError(403);
    const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
    assert.equal(await attempt.abandon(fake), undefined);
    assert.deepEqual(calls(fake), [`POST ${LEASES}`]);
  });
  await t.test('someone else\'s (409)', async () => {
    const fake = new FakeKube();
    const theirs = fake.seed(LEASE, theirLease('bob@ci', 1));
    const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
    assert.equal(await attempt.abandon(fake), undefined);
    assert.deepEqual(calls(fake), [`POST ${LEASES}`]);
    assert.deepEqual(fake.read(LEASE), theirs);
  });
  await t.test('a release the server refuses is a warning, not an error', async () => {
    const fake = new FakeKube();
    fake.fault = (request) => (request.method === 'DELETE' ? apiError(403, 'release') : 'pass');
    const attempt = LeaseAttempt.start(fake, 'fsm-system', 'staging', OPTIONS);
    assert.match((await attempt.abandon(fake)) ?? '', /^the apply lock fsm-system\/fsm-gitops-staging could not be released \(.*\); it expires by itself within 60 s$/);
  });
});
