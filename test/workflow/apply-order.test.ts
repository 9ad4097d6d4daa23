/**
 * The order of work in a live apply (issue 12), on the in-memory API server behind a real KubeClient: the
 * desired files load while the Lease is taken, the live read starts the moment the Lease is held (not
 * after the files), and never before it. Proven by the order of events, not by timing: the repository
 * below holds back its manifests until the cluster's live read has begun, which only an apply that reads
 * while it loads gets past.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { namespaceOf, type KubeObject } from '../../src/core/kube.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import type { RepoFiles } from '../../src/desired/repo-files.ts';
import { fsmKindOf } from '../../src/fsm/kinds.ts';
import { LockBusyError } from '../../src/apply/lock.ts';
import { microTime } from '../../src/apply/lease-object.ts';
import { PendingHistory } from '../../src/apply/pending-history.ts';
import { fsmObjectPath } from '../../src/kube/fsm-objects.ts';
import type { KubeRequest } from '../../src/kube/kube-client.ts';
import { CONFIG_MAPS, CRDS, NAMESPACES, objectPath, SECRETS, WORKLOADS, type ResourceType } from '../../src/kube/resource-paths.ts';
import { applyEnvironment } from '../../src/workflow/apply-environment.ts';
import { FakeKube, clientFor } from '../support/fake-kube.ts';
import { serveWithNock } from '../support/fake-kube-nock.ts';
import { exampleClusterObjects } from '../support/plan-fixture.ts';

const SERVER = 'https://kube.test:6443';
const REPO = fileURLToPath(new URL('../../examples/gitops', import.meta.url));
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const client = clientFor(SERVER, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });

const TYPES: Record<string, ResourceType> = { CustomResourceDefinition: CRDS, Namespace: NAMESPACES, Secret: SECRETS, ConfigMap: CONFIG_MAPS, ...WORKLOADS };
function pathOf(object: KubeObject): string {
  if (fsmKindOf(object)) return fsmObjectPath(object);
  const type = TYPES[object.kind];
  if (!type) throw new Error(`no path for ${object.kind}`);
  return objectPath(type, namespaceOf(object), object.metadata.name);
}

const isLease = (r: KubeRequest): boolean => r.path.startsWith(LEASES);
const isLiveRead = (r: KubeRequest): boolean => r.method === 'GET' && !isLease(r);

let fake: FakeKube;
let stateDir: string;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => {
  nock.disableNetConnect();
  process.on('unhandledRejection', onUnhandled);
});
after(() => {
  nock.enableNetConnect();
  process.off('unhandledRejection', onUnhandled);
});
beforeEach(() => {
  fake = new FakeKube(SERVER);
  for (const object of exampleClusterObjects('staging')) fake.seed(pathOf(object), object);
  serveWithNock(fake, SERVER);
  stateDir = mkdtempSync(join(tmpdir(), 'fsm-gitops-state-'));
});
afterEach(() => {
  nock.cleanAll();
  rmSync(stateDir, { recursive: true, force: true });
});

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
  const outcome = await applyEnvironment({ repo: heldRepo(events, released), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', confirm: async () => true, pending: new PendingHistory(stateDir) });
  clearTimeout(fallback);

  assert.equal(releasedBy, 'the live read');
  assert.equal(outcome.status, 'done');
  assert.equal(events[0], 'list clusters/staging after 0 requests', 'the files are listed before the Lease is asked for');
  const created = fake.requests.findIndex((r) => isLease(r) && r.method === 'POST');
  const firstRead = fake.requests.findIndex(isLiveRead);
  assert.ok(created >= 0 && firstRead > created, 'nothing is read for the plan before the Lease is held');
});

test('apply: a Lease someone else holds is the error, raised once the files have loaded; nothing read from the cluster, no unhandled rejection', async () => {
  fake.seed(`${LEASES}/fsm-gitops-staging`, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'abc' } },
    spec: { holderIdentity: 'bob@ci', leaseDurationSeconds: 600, renewTime: microTime(new Date()) },
  });
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const applying = applyEnvironment({ repo: heldRepo(events, released), environment: 'staging', client, commit: 'c0ffee', actor: 'alice@laptop', lockWaitSeconds: 0, confirm: async () => true, pending: new PendingHistory(stateDir) });
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
