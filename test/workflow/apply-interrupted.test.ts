/**
 * An apply stopped by its signal (the CLI's Ctrl-C, apply-interruption.ts), on the in-memory API server through
 * a real KubeClient: before the writes nothing is written and the Lease is released; during them no further
 * write starts and what was written is rolled back and recorded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { readHistory } from '../../src/apply/history.ts';
import { microTime } from '../../src/apply/lease-object.ts';
import { PendingHistory } from '../../src/apply/pending-history.ts';
import { InterruptedError } from '../../src/core/interrupted.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { applyEnvironment } from '../../src/workflow/apply-environment.ts';
import { servedExampleCluster } from '../support/example-kube.ts';
import { clientFor, type FakeKube } from '../support/fake-kube.ts';

const SERVER = 'https://kube.test:6443';
const REPO = fileURLToPath(new URL('../../examples/gitops', import.meta.url));
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases/fsm-gitops-staging';
const MESH_CONFIG = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
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
