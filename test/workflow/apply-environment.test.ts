/**
 * applyEnvironment end to end on the in-memory API server (a real KubeClient reaching it through nock):
 * what happens after the apply — a lock release or a history write the cluster does not take — never
 * replaces the apply's outcome. And the order of its work (issue 12): the desired files load while the
 * Lease is taken, the live read starts the moment the Lease is held (not after the files), never before. And an
 * apply stopped by its signal (the CLI's Ctrl-C): before the writes nothing is written and the Lease is released;
 * during them no further write starts and what was written is rolled back and recorded.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import type { RepoFiles } from '../../src/desired/repo-files.ts';
import { PendingHistory } from '../../src/apply/pending-history.ts';
import { LockBusyError } from '../../src/apply/lock.ts';
import { microTime } from '../../src/apply/lease-object.ts';
import type { KubeRequest } from '../../src/kube/kube-client.ts';
import { readHistory } from '../../src/apply/history.ts';
import { applyEnvironment, type ApplyOutcome } from '../../src/workflow/apply-environment.ts';
import { InterruptedError } from '../../src/core/interrupted.ts';
import { servedExampleCluster } from '../support/example-kube.ts';
import { apiError, FakeKube, clientFor } from '../support/fake-kube.ts';

const SERVER = 'https://kube.test:6443';
const REPO = fileURLToPath(new URL('../../examples/gitops', import.meta.url));
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases/fsm-gitops-staging';
const HISTORY = '/api/v1/namespaces/fsm-system/configmaps/fsm-gitops-history-staging';
const client = clientFor(SERVER, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });

let fake: FakeKube;
let stateDir: string;
let pending: PendingHistory;
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
beforeEach(() => {
  fake = servedExampleCluster(SERVER);
  stateDir = mkdtempSync(join(tmpdir(), 'fsm-gitops-state-'));
  pending = new PendingHistory(stateDir);
});
afterEach(() => {
  nock.cleanAll();
  rmSync(stateDir, { recursive: true, force: true });
});

const apply = (commit = 'c0ffee', leaseSeconds?: number): Promise<ApplyOutcome> =>
  applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit, actor: 'alice@laptop', confirm: async () => true, pending, leaseSeconds });

test('the example applies on the in-memory server: done, recorded, the Lease released', async () => {
  const outcome = await apply();
  assert.equal(outcome.status, 'done', outcome.status === 'refused' ? outcome.reason : outcome.status);
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'applied', outcome.result.message);
  assert.ok(outcome.result.done.length > 0, 'it wrote');
  assert.deepEqual(outcome.warnings, []);
  assert.equal(fake.read(LEASE), undefined);
  const [record] = await readHistory(client, 'fsm-system', 'staging');
  assert.equal(record?.commit, 'c0ffee');
  assert.deepEqual(record?.changes, outcome.result.done);
});

test('the apply writes each FSM object once and reads none: "before" is the plan\'s read, "after" the write\'s answer', async () => {
  const outcome = await apply();
  assert.equal(outcome.status === 'done' && outcome.result.result, 'applied');
  if (outcome.status !== 'done') return;
  const fsmObject = /^\/apis\/(plugin|config)\.flomesh\.io\/[^/]+\/(namespaces\/[^/]+\/)?[a-z]+\/[^/]+$/;
  const requests = fake.requests.filter((r) => fsmObject.test(r.path) && r.query?.['dryRun'] === undefined);
  const sent = requests.map((r) => `${r.method} ${r.path.split('/').pop()}`);
  assert.deepEqual(sent.filter((r) => r.startsWith('GET')), [], 'no read of a single object');
  assert.equal(outcome.result.done.length, 6);
  assert.equal(sent.length, 6, sent.join(', '));
});

test('a lock release that fails does not replace the outcome: it is a warning', async () => {
  fake.fault = (r) => (r.method === 'DELETE' && r.path === LEASE ? apiError(500, r.what) : 'pass');
  const outcome = await apply('c0ffee', 30);
  assert.equal(outcome.status, 'done');
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'applied');
  assert.equal(outcome.warnings.length, 1);
  assert.match(outcome.warnings[0]!, /^the apply lock of staging could not be released \(.*injected 500.*\); it expires by itself within 30 s$/);
  assert.ok(fake.read(LEASE), 'still there, to expire');
  assert.equal((await readHistory(client, 'fsm-system', 'staging')).length, 1, 'recorded before the release');
});

test('a history write the cluster refuses keeps the record on this machine; the outcome is still done, with a warning naming the file', async () => {
  fake.fault = (r) => (r.method !== 'GET' && r.path.startsWith('/api/v1/namespaces/fsm-system/configmaps') ? apiError(403, r.what, 'Forbidden') : 'pass');
  const outcome = await apply();
  assert.equal(outcome.status, 'done');
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'applied');
  const target = { server: client.server, namespace: 'fsm-system', environment: 'staging' };
  const kept = pending.load(target);
  assert.equal(kept.length, 1);
  assert.equal(kept[0]?.commit, 'c0ffee');
  assert.ok(kept[0]?.id);
  assert.equal(outcome.warnings.length, 1);
  const file = /kept in (\S+) and the next apply of staging writes it/.exec(outcome.warnings[0]!)?.[1];
  assert.ok(file && existsSync(file), outcome.warnings[0]);
  assert.ok(file.startsWith(stateDir));
  assert.equal(fake.read(HISTORY), undefined);
  assert.equal(fake.read(LEASE), undefined, 'the Lease released all the same');

  // The next apply writes it first.
  fake.fault = () => 'pass';
  const next = await apply('d00d');
  assert.equal(next.status === 'done' || next.status === 'no-changes', true, next.status);
  const history = await readHistory(client, 'fsm-system', 'staging');
  assert.ok(history.some((r) => r.id === kept[0]!.id && r.commit === 'c0ffee'));
  assert.equal(existsSync(file), false);
});

test('a history write that went through unanswered, then the server gone: the record kept is the same record, written once by the next apply', async () => {
  let wrote = false;
  fake.fault = (r) => {
    if (!r.path.startsWith('/api/v1/namespaces/fsm-system/configmaps')) return 'pass';
    if (wrote) return apiError(503, r.what, 'ServiceUnavailable');
    if (r.method === 'GET') return 'pass';
    wrote = true;
    return 'lost-answer';
  };
  const outcome = await apply();
  assert.equal(outcome.status, 'done');
  assert.ok(wrote, 'the history write went through');
  assert.equal(outcome.status === 'done' && outcome.warnings.length, 1);
  const target = { server: client.server, namespace: 'fsm-system', environment: 'staging' };
  assert.equal(pending.load(target).length, 1);

  fake.fault = () => 'pass';
  await apply('d00d');
  const history = await readHistory(client, 'fsm-system', 'staging');
  assert.equal(history.filter((r) => r.commit === 'c0ffee').length, 1, `recorded once: ${JSON.stringify(history.map((r) => [r.commit, r.id]))}`);
  assert.deepEqual(pending.load(target), []);
});

test('a kept record the cluster still refuses does not block the next apply: it applies, warns, and keeps the record', async () => {
  fake.fault = (r) => (r.method !== 'GET' && r.path.startsWith('/api/v1/namespaces/fsm-system/configmaps') ? apiError(403, r.what, 'Forbidden') : 'pass');
  await apply();
  const target = { server: client.server, namespace: 'fsm-system', environment: 'staging' };
  assert.equal(pending.load(target).length, 1);
  const next = await apply('d00d');
  assert.ok(next.status === 'done' || next.status === 'no-changes', next.status);
  if (next.status === 'done') assert.ok(next.warnings.some((w) => /history records an earlier apply kept on this machine could not be written yet .*Forbidden/.test(w)), next.warnings.join('\n'));
  assert.ok(pending.load(target).length >= 1, 'still kept');
});

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const isLease = (r: KubeRequest): boolean => r.path.startsWith(LEASES);
const isLiveRead = (r: KubeRequest): boolean => r.method === 'GET' && !isLease(r);

/**
 * The example repository, logging what it is asked (with how many requests the server had received by
 * then); its manifests are held back until `release` resolves.
 */
function heldRepo(events: string[], release: Promise<void>): RepoFiles {
  const repo = new FolderRepo(REPO);
  return {
    list: async (dir) => {
      events.push(`list ${dir} after ${fake.requests.length} requests`);
      return repo.list(dir);
    },
    size: (path) => repo.size(path),
    links: (dir) => repo.links(dir),
    async read(path) {
      if (path.startsWith('clusters/')) await release;
      return repo.read(path);
    },
  };
}

test('apply: the files load while the Lease is taken, and the live read starts when the Lease is held, not after the files', async () => {
  const events: string[] = [];
  let releasedBy = '';
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  fake.fault = (request) => {
    if (isLiveRead(request) && !releasedBy) {
      releasedBy = 'the live read';
      release();
    }
    return 'pass';
  };
  // Only if the apply waited for its files before reading the cluster: it would wait for ever, so the test lets it go, and fails.
  const fallback = setTimeout(() => {
    releasedBy ||= 'nobody: the apply waited for its files before reading';
    release();
  }, 10_000);
  const outcome = await applyEnvironment({ repo: heldRepo(events, released), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', confirm: async () => true, pending });
  clearTimeout(fallback);

  assert.equal(releasedBy, 'the live read');
  assert.equal(outcome.status, 'done');
  assert.equal(events[0], 'list clusters/staging after 0 requests', 'the files are listed before the Lease is asked for');
  const created = fake.requests.findIndex((r) => isLease(r) && r.method === 'POST');
  const firstRead = fake.requests.findIndex(isLiveRead);
  assert.ok(created >= 0 && firstRead > created, 'nothing is read for the plan before the Lease is held');
});

test('apply: a Lease someone else holds is the error, raised once the files have loaded; nothing read from the cluster, no unhandled rejection', async (t) => {
  fake.seed(LEASE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'abc' } },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 600, renewTime: microTime(new Date()) },
  });
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  const applying = applyEnvironment({ repo: heldRepo(events, released), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', lockWaitSeconds: 0, confirm: async () => true, pending });
  const seen: { error?: unknown } = {};
  const done = applying.catch((error: unknown) => void (seen.error = error));
  for (let i = 0; i < 50 && !fake.requests.some((r) => isLease(r)); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  // Time for the Lease's answer to come back: an apply that did not wait for its files would raise now.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(seen.error === undefined, true, 'not raised while the files are still loading');
  release();
  await done;
  assert.ok(seen.error instanceof LockBusyError, String(seen.error));
  assert.deepEqual(fake.requests.filter((r) => !isLease(r)), [], 'no live read without the Lease');
  assert.deepEqual(unhandled, []);
});

test('a killed apply\'s Lease: waited for with one line (not one a second) saying when it expires, then taken over with a warning that that apply was interrupted', async () => {
  fake.seed(LEASE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'abc1234' } },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 3, renewTime: microTime(new Date(Date.now() - 500)) },
  });
  const progress: string[] = [];
  const outcome = await applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', confirm: async () => true, pending, progress: (m) => progress.push(m) });
  const waits = progress.filter((m) => m.includes('waiting for'));
  assert.equal(waits.length, 1, waits.join('\n'));
  assert.match(waits[0]!, /^staging: waiting for bob@ci \(commit abc1234\) to finish \(its lock expires in [1-3] s unless it renews it\)$/);
  assert.equal(outcome.status, 'done');
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'applied');
  const [warning, ...more] = outcome.warnings;
  assert.deepEqual(more, []);
  assert.match(warning!, /^staging: took over the apply lock of bob@ci \(commit abc1234\), which stopped renewing it without releasing it \(it expired \d+ s ago\): that apply was interrupted/);
  assert.ok(progress.includes(warning!), 'said as it happens, too');
});

test("with warn, a killed apply's Lease taken over is told as a warning before the plan, once, and kept in a declined apply's outcome otherwise", async () => {
  const expired = () => fake.seed(LEASE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'abc1234' } },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 1, renewTime: microTime(new Date(Date.now() - 5_000)) },
  });
  expired();
  const events: string[] = [];
  const told = await applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', pending, progress: (m) => events.push(`progress: ${m}`), warn: (w) => events.push(`warn: ${w}`), confirm: async () => (events.push('confirm'), false) });
  assert.equal(told.status, 'declined');
  assert.deepEqual(told.warnings, [], 'told once, as it happened');
  const takeover = events.findIndex((e) => e.startsWith('warn: staging: took over the apply lock of bob@ci'));
  assert.ok(takeover >= 0 && takeover < events.indexOf('confirm'), events.join('\n'));
  assert.equal(events.filter((e) => e.includes('took over')).length, 1, events.join('\n'));

  expired();
  const kept = await applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', pending, confirm: async () => false });
  assert.equal(kept.status, 'declined');
  assert.equal(kept.warnings.length, 1);
  assert.match(kept.warnings[0]!, /^staging: took over the apply lock of bob@ci/, 'not lost when the apply goes no further');
});

// An apply stopped by its signal (the CLI's Ctrl-C, apply-interruption.ts).
const MESH_CONFIG = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
const isObjectWrite = (r: { method: string; path: string; query?: Record<string, string | undefined> }): boolean => /flomesh\.io\//.test(r.path) && !r.path.includes('customresourcedefinitions') && r.method !== 'GET' && r.query?.['dryRun'] === undefined;

test("Ctrl-C while waiting for another apply's Lease: the wait stops, nothing is read or written, the error is the interrupt", { timeout: 20_000 }, async () => {
  fake.seed(LEASE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system' },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 600, renewTime: microTime(new Date()) },
  });
  const stop = new AbortController();
  const waiting: string[] = [];
  const applying = applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', lockWaitSeconds: 120, confirm: async () => true, pending, signal: stop.signal, progress: (m) => waiting.push(m) });
  while (!waiting.some((m) => m.includes('waiting for bob@ci'))) await new Promise((resolve) => setTimeout(resolve, 10));
  stop.abort(new InterruptedError('SIGINT'));
  await assert.rejects(applying, (error: unknown) => error instanceof InterruptedError);
  assert.deepEqual(fake.requests.filter((r) => !r.path.includes('/leases')).map((r) => `${r.method} ${r.path}`), [], 'no live read, no write');
  assert.equal(fake.read(LEASE)?.['spec'] && (fake.read(LEASE)!['spec'] as { holderIdentity?: string }).holderIdentity, 'bob@ci', "bob's Lease is untouched");
});

test('Ctrl-C at the question, answered yes all the same: nothing is written, the Lease is released, the error is the interrupt', async () => {
  const stop = new AbortController();
  const before = fake.read(MESH_CONFIG);
  const applying = applyEnvironment({
    repo: new FolderRepo(REPO),
    environment: 'staging',
    client,
    commit: 'c0ffee',
    actor: 'alice@laptop',
    pending,
    signal: stop.signal,
    async confirm() {
      stop.abort(new InterruptedError('SIGINT'));
      return true;
    },
  });
  await assert.rejects(applying, (error: unknown) => error instanceof InterruptedError);
  assert.deepEqual(fake.requests.filter(isObjectWrite).map((r) => `${r.method} ${r.path}`), []);
  assert.deepEqual(fake.read(MESH_CONFIG), before);
  assert.equal(fake.read(LEASE), undefined, 'the Lease is released');
});

test('Ctrl-C during the writes: no further write starts, what was written is rolled back and recorded, the Lease released', async () => {
  const stop = new AbortController();
  const before = fake.read(MESH_CONFIG);
  // The MeshConfig is the first level: interrupted as its write is answered, the plugins' level never starts.
  fake.fault = (r) => {
    if (isObjectWrite(r) && r.path === MESH_CONFIG && !stop.signal.aborted) stop.abort(new InterruptedError('SIGTERM'));
    return 'pass';
  };
  const outcome = await applyEnvironment({ repo: new FolderRepo(REPO), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', confirm: async () => true, pending, signal: stop.signal });
  assert.equal(outcome.status, 'done');
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'rolled-back', outcome.result.message);
  assert.match(outcome.result.message ?? '', /^stopped by SIGTERM\. Rolled back: the cluster is as it was before this apply\.$/);
  assert.deepEqual(outcome.result.done, ['update MeshConfig fsm-system/fsm-mesh-config']);
  const writes = fake.requests.filter(isObjectWrite).map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`);
  assert.ok(writes.every((w) => w.endsWith('meshconfigs/fsm-mesh-config')), `only the MeshConfig was written (and put back): ${writes.join(', ')}`);
  const spec = (object: unknown) => (object as { spec?: unknown } | undefined)?.spec;
  assert.deepEqual(spec(fake.read(MESH_CONFIG)), spec(before), 'the MeshConfig is as it was');
  const [record] = await readHistory(client, 'fsm-system', 'staging');
  assert.equal(record?.result, 'rolled-back');
  assert.match(record?.message ?? '', /^stopped by SIGTERM/);
  assert.equal(fake.read(LEASE), undefined, 'the Lease is released');
});
