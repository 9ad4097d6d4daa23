/**
 * Lease renewal, fencing and release, on an in-memory API server with mocked timers and an injected clock:
 * a 60 s Lease, renewed every 10 s, writes fenced 40 s after the last confirmed renewal.
 */
import assert from 'node:assert/strict';
import { SINGLE_ATTEMPT } from '../../src/kube/retry.ts';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { isObject, type JsonObject } from '../../src/core/json.ts';
import { acquireLock, LeaseLostError, type HeldLock } from '../../src/apply/lock.ts';
import { LEASE_CHECK_INTERVAL_MS } from '../../src/apply/lease-renewal.ts';
import { LEASE_TOKEN_ANNOTATION, microTime } from '../../src/apply/lease-object.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import { FakeKube } from '../support/fake-kube.ts';

const LEASE = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases/fsm-gitops-staging';
const T0 = Date.parse('2026-11-25T12:00:00Z');

let t = T0;
let fake: FakeKube;

beforeEach(() => {
  t = T0;
  fake = new FakeKube();
  mock.timers.enable({ apis: ['setTimeout'] });
});
afterEach(() => mock.timers.reset());

async function take(): Promise<HeldLock> {
  return acquireLock(fake, 'fsm-system', 'staging', { holder: 'me@host', commit: 'def', leaseSeconds: 60, now: () => new Date(t) });
}

/** Moves the clock and the timers on together, then lets the renewal's requests settle. */
async function advance(ms: number): Promise<void> {
  t += ms;
  mock.timers.tick(ms);
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const puts = () => fake.requests.filter((r) => r.method === 'PUT');
const deletes = () => fake.requests.filter((r) => r.method === 'DELETE');
const versionIn = (body: unknown): unknown => (isObject(body) && isObject(body['metadata']) ? body['metadata']['resourceVersion'] : undefined);
const storedVersion = (): unknown => versionIn(fake.read(LEASE));

function theirs(): JsonObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { [LEASE_TOKEN_ANNOTATION]: 'their-token' } },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 60, renewTime: microTime(new Date(t)) },
  };
}

test('the Lease is renewed every sixth of its duration, each PUT carrying the resourceVersion the last one left', async () => {
  const held = await take();
  const created = storedVersion();
  await advance(9_999);
  assert.equal(puts().length, 0, 'not before a sixth of the duration');
  await advance(1);
  assert.equal(puts().length, 1);
  assert.equal(versionIn(puts()[0]!.body), created);
  const body = puts()[0]!.body as { spec: { renewTime: string; holderIdentity: string } };
  assert.equal(body.spec.renewTime, microTime(new Date(T0 + 10_000)));
  assert.equal(body.spec.holderIdentity, 'me@host');
  const afterFirst = storedVersion();
  assert.notEqual(afterFirst, created);
  await advance(10_000);
  assert.equal(puts().length, 2);
  assert.equal(versionIn(puts()[1]!.body), afterFirst);
  held.fence();
  await held.release();
  await advance(30_000);
  assert.equal(puts().length, 2, 'no renewal after release');
});

test('a renewal answered 409 whose re-read shows another holder: the fence throws naming the holder, and release leaves their Lease', async () => {
  const held = await take();
  fake.seed(LEASE, theirs()); // taken over meanwhile
  await advance(10_000);
  assert.throws(() => held.fence(), (e: unknown) => e instanceof LeaseLostError && /taken over by bob@ci/.test(e.message));
  await held.release();
  assert.ok(deletes().every((d) => (d.body as JsonObject)['preconditions'] !== undefined), 'any delete is conditional on our version');
  assert.equal(fake.read(LEASE)?.['spec'] && (fake.read(LEASE)!['spec'] as JsonObject)['holderIdentity'], 'bob@ci', 'their Lease is kept');
});

test('a renewal that went through unanswered (409 next time, re-read shows our token) keeps the Lease', async () => {
  const held = await take();
  let first = true;
  fake.fault = (r) => (r.method === 'PUT' && first ? ((first = false), 'lost-answer') : 'pass');
  await advance(10_000); // stored, answered 500
  const stored = storedVersion();
  await advance(10_000); // stale version: 409, then read: ours
  assert.equal(puts().length, 2);
  held.fence();
  await advance(10_000);
  assert.equal(puts().length, 3);
  assert.equal(versionIn(puts()[2]!.body), stored, 'the next renewal uses the version re-read');
  held.fence();
  await held.release();
  assert.equal(fake.read(LEASE), undefined);
});

test('renewals that get no answer: the fence throws once two thirds of the duration passed since the last confirmed renewal, and keeps throwing', async () => {
  const held = await take();
  await advance(10_000); // confirmed at T0+10 s
  fake.fault = (r) => (r.method === 'PUT' ? new KubeUnreachableError(fake.server, 'no answer within 10 s') : 'pass');
  await advance(30_000);
  t += 10_000; // T0+50 s: exactly two thirds of 60 s since the confirmed renewal
  assert.equal(held.fence(), 20_000, 'a write now may take 20 s: the Lease expires 60 s after its renewal');
  t += 1;
  assert.throws(() => held.fence(), (e: unknown) => e instanceof LeaseLostError && /not renewed for 40 s of its 60 s/.test(e.message));
  fake.fault = () => 'pass';
  await advance(20_000); // renewals answered again
  assert.throws(() => held.fence(), LeaseLostError, 'once lost, stays lost');
  await held.release();
  assert.equal(fake.read(LEASE), undefined, 'lost to unanswered renewals but still ours: released, so the next apply need not wait for it to expire');
  assert.deepEqual(deletes().map((d) => [d.retry, d.timeoutMs]), [[SINGLE_ATTEMPT, 5_000]], 'one brief try: the server may be what stopped answering');
});

test('release deletes with the resourceVersion of the last renewal', async () => {
  const held = await take();
  await advance(10_000);
  const renewed = storedVersion();
  await held.release();
  assert.equal(deletes().length, 1);
  assert.deepEqual((deletes()[0]!.body as JsonObject)['preconditions'], { resourceVersion: renewed });
  assert.equal(fake.read(LEASE), undefined);
});

test('release after a 409 deletes again when the Lease is still ours (a renewal answered late)', async () => {
  const held = await take();
  const ours = fake.read(LEASE)!;
  delete (ours['metadata'] as JsonObject)['resourceVersion'];
  const newer = versionIn(fake.seed(LEASE, ours)); // ours, at a version we never saw
  await held.release();
  assert.equal(deletes().length, 2);
  assert.deepEqual((deletes()[1]!.body as JsonObject)['preconditions'], { resourceVersion: newer });
  assert.equal(fake.read(LEASE), undefined);
});

test('release after a 409 leaves the Lease when it is someone else\'s now', async () => {
  const held = await take();
  fake.seed(LEASE, theirs());
  await held.release();
  assert.equal(deletes().length, 1);
  assert.equal((fake.read(LEASE)!['spec'] as JsonObject)['holderIdentity'], 'bob@ci');
});

test('release(client) deletes with the client given', async () => {
  const held = await take();
  const other = new FakeKube();
  other.seed(LEASE, fake.read(LEASE)!);
  await held.release(other);
  assert.equal(deletes().length, 0);
  assert.equal(other.requests.filter((r) => r.method === 'DELETE').length, 1);
  assert.equal(other.read(LEASE), undefined);
});

test('a Lease deleted by hand (kubectl delete lease) is noticed at the next check, about a second later, not at the next renewal', async () => {
  const held = await take();
  fake.objects.delete(LEASE);
  held.fence();
  await advance(LEASE_CHECK_INTERVAL_MS);
  assert.throws(() => held.fence(), (e: unknown) => e instanceof LeaseLostError && /deleted by someone else/.test(e.message));
  assert.equal(puts().length, 0, 'noticed by a read, before any renewal');
  await held.release();
  assert.equal(fake.read(LEASE), undefined, 'gone already: the release has nothing to do');
});

test('a Lease taken over between checks is noticed at the next one', async () => {
  const held = await take();
  await advance(LEASE_CHECK_INTERVAL_MS);
  held.fence();
  fake.seed(LEASE, theirs());
  await advance(LEASE_CHECK_INTERVAL_MS);
  assert.throws(() => held.fence(), (e: unknown) => e instanceof LeaseLostError && /taken over by bob@ci/.test(e.message));
});

test('confirm(): an apply that ends before the next check still learns its Lease was deleted; a held one confirms with a renewal', async () => {
  const held = await take();
  await held.confirm();
  assert.equal(puts().length, 1, 'confirmed by renewing now');
  fake.objects.delete(LEASE);
  await assert.rejects(held.confirm(), (e: unknown) => e instanceof LeaseLostError && /deleted by someone else/.test(e.message));
});

test('an unanswered check proves nothing: the Lease stays held while renewals go through', async () => {
  const held = await take();
  fake.fault = (request) => (request.method === 'GET' ? new KubeUnreachableError('https://fake.test', 'ECONNRESET') : 'pass');
  await advance(LEASE_CHECK_INTERVAL_MS * 3);
  held.fence();
  await held.release();
});
