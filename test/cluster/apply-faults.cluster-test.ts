/**
 * Apply under faults on a real API server, through a loopback proxy that injects them (test/support/
 * fault-proxy.ts): a Lease gone stale mid-apply, writes that went through but answered 500, the server
 * gone after the first write, and a large apply's history record.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { readHistory } from '../../src/apply/history.ts';
import { PendingHistory } from '../../src/apply/pending-history.ts';
import { isObject } from '../../src/core/json.ts';
import { objectKey, type KubeObject } from '../../src/core/kube.ts';
import { sameOwnership } from '../../src/apply/restore-ownership.ts';
import { ownersOf } from '../../src/plan/managed-fields.ts';
import { COMMIT_ANNOTATION } from '../../src/core/ownership.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { normalize } from '../../src/plan/normalize.ts';
import { applyEnvironment } from '../../src/workflow/apply-environment.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { FaultProxy, type SeenRequest } from '../support/fault-proxy.ts';
import { exampleClusterObjects } from '../support/plan-fixture.ts';
import { seed, startCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';

const MESH = { name: 'fsm', namespace: 'fsm-system' };
const CORS_PLUGIN = '/apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy';
const MESH_CONFIG = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const CONFIG_MAPS = '/api/v1/namespaces/fsm-system/configmaps';

let kubeconfig: string;
let client: KubeClient;
let proxy: FaultProxy;
let stateDir: string;

/** A fresh cluster per test would cost 6 s each; instead every test starts from the seeded state by deleting what applies made. */
before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  await seed(client, exampleClusterObjects('staging'));
  proxy = await FaultProxy.start(kubeconfig);
  stateDir = await mkdtemp(join(tmpdir(), 'fsm-gitops-state-'));
  process.env['FSM_GITOPS_STATE_DIR'] = stateDir;
});
after(async () => {
  await proxy.close();
  stopCluster(kubeconfig);
  await rm(stateDir, { recursive: true, force: true });
  delete process.env['FSM_GITOPS_STATE_DIR'];
});
beforeEach(() => {
  proxy.fault = () => 'pass';
  proxy.seen.length = 0;
});

const isWrite = (r: SeenRequest): boolean => r.method !== 'GET' && !r.url.includes('dryRun=');
const isApply = (r: SeenRequest): boolean => r.method === 'PATCH' && isWrite(r);

async function fsmState(): Promise<Map<string, unknown>> {
  const live = await new ClusterReader(client).read(MESH);
  const objects = [...(live.meshConfig ? [live.meshConfig] : []), ...live.pluginObjects];
  return new Map(objects.map((o) => [objectKey(o), normalize(o)]));
}

async function commitOf(path: string): Promise<string | undefined> {
  const live = await client.get(path, 'read');
  const annotations = isObject(live?.['metadata']) && isObject(live['metadata']['annotations']) ? live['metadata']['annotations'] : {};
  return typeof annotations[COMMIT_ANNOTATION] === 'string' ? annotations[COMMIT_ANNOTATION] : undefined;
}

/**
 * The example repository with the cors-policy Plugin's priority and a label on its PluginChain and
 * PluginConfig set to `variant`: each variant changes three objects, and tells two applies apart.
 */
async function repoVariant(variant: number): Promise<{ repo: string; cleanup(): Promise<void> }> {
  const copy = await copyExampleRepo();
  const file = join(copy.repo, 'clusters/staging/plugins/cors.yaml');
  const text = (await readFile(file, 'utf8')).replace('priority: 165', `priority: ${variant}`).replace(/(metadata:\n  name: [\w-]+\n  namespace: bookinfo\n)/g, `$1  labels: { variant: "${variant}" }\n`);
  await writeFile(file, text);
  return copy;
}

const apply = (repo: string, commit: string, extra: string[] = []) =>
  cli(['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', proxy.kubeconfig, ...serves('staging', 'proxy'), '--yes', '--commit', commit, ...extra]);

describe('apply under faults, on a real API server', { concurrency: false }, () => {
  test('a Lease gone stale mid-apply: the first apply stops writing and never rolls back over the second', async () => {
    const first = await repoVariant(170);
    const second = await repoVariant(180);
    try {
      let frozen = false;
      let wrote = false;
      proxy.fault = (request) => {
        if (frozen) return 'hang'; // the API server stops answering the first apply
        if (isApply(request)) {
          if (wrote) return 'hang';
          wrote = true;
          frozen = true;
        }
        return 'pass';
      };
      const firstApply = applyEnvironment({
        repo: new FolderRepo(first.repo),
        environment: 'staging',
        client: proxy.client({ timeoutMs: 2_000 }),
        commit: 'first',
        actor: 'first@test',
        leaseSeconds: 6,
        confirm: async () => true,
      });
      let settled = false;
      void firstApply.finally(() => (settled = true));
      while (!wrote && !settled) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(wrote, 'the first apply wrote once');
      // The first apply's Lease expires unrenewed; the second takes it over (directly, not through the proxy) and applies.
      const secondApply = await applyEnvironment({ repo: new FolderRepo(second.repo), environment: 'staging', client, commit: 'second', actor: 'second@test', lockWaitSeconds: 30, confirm: async () => true });
      assert.equal(secondApply.status, 'done');
      assert.equal(secondApply.status === 'done' && secondApply.result.result, 'applied');
      const afterSecond = await fsmState();
      frozen = false;
      proxy.fault = () => 'pass';

      const outcome = await firstApply;
      assert.equal(outcome.status, 'done');
      if (outcome.status !== 'done') return;
      assert.equal(outcome.result.result, 'failed');
      // Unrenewed, it is lost before the next write or, on a slow machine, while rolling back: either way no write over the second.
      assert.match(outcome.result.message ?? '', /lost the apply lock .*Not rolled back( further)?: another apply may be changing the environment now/s);
      assert.deepEqual(await fsmState(), afterSecond, 'the second apply\'s writes stand');
      assert.equal(await commitOf(CORS_PLUGIN), 'second');
      const history = await readHistory(client, 'fsm-system', 'staging');
      // The second's record is the newest although the first recorded later: the cluster holds the second's writes.
      assert.deepEqual(history.slice(0, 2).map((r) => [r.commit, r.result]), [['second', 'applied'], ['first', 'failed']]);
    } finally {
      await first.cleanup();
      await second.cleanup();
    }
  });

  test('a Lease deleted by hand mid-apply (kubectl delete lease): the apply stops writing within seconds, not at its next renewal', async () => {
    const variant = await repoVariant(175);
    try {
      let applies = 0;
      proxy.fault = (request) => {
        if (!isApply(request) || ++applies !== 2) return 'pass';
        // Someone deletes the Lease while the second write hangs; another apply could now take it at once.
        void client.request({ method: 'DELETE', path: `${LEASES}/fsm-gitops-staging`, what: 'delete the Lease by hand' });
        return 'hang';
      };
      const outcome = await applyEnvironment({
        repo: new FolderRepo(variant.repo),
        environment: 'staging',
        client: proxy.client({ timeoutMs: 2_500 }),
        commit: 'deleted-lease',
        actor: 'first@test',
        leaseSeconds: 60, // renewed every 10 s: only the one-second check can notice in time
        confirm: async () => true,
      });
      proxy.fault = () => 'pass';
      assert.equal(outcome.status, 'done');
      if (outcome.status !== 'done') return;
      assert.equal(outcome.result.result, 'failed');
      assert.match(outcome.result.message ?? '', /lost the apply lock \(Lease fsm-gitops-staging\): deleted by someone else; stopped writing\. Not rolled back/);
      assert.equal(proxy.seen.filter(isApply).length, 2, 'the hung write was not sent again');
    } finally {
      proxy.fault = () => 'pass';
      await variant.cleanup();
    }
  });

  test('a Lease create that went through but answered 500: the apply goes on at once, holding its own Lease', async () => {
    const repo = await repoVariant(190);
    try {
      let failed = false;
      proxy.fault = (request) => (request.method === 'POST' && request.url.startsWith(LEASES) && !failed ? ((failed = true), '500-after') : 'pass');
      const run = await apply(repo.repo, 'lease-500', ['--lock-timeout', '5']);
      assert.ok(failed, 'the fault was injected');
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /waiting for/);
      assert.match(run.stdout, /Applied \d+ changes? to staging/);
      assert.equal(await client.get(`${LEASES}/fsm-gitops-staging`, 'read'), undefined, 'the Lease was released');
    } finally {
      await repo.cleanup();
    }
  });

  test('a history write that went through but answered 500: the apply says it applied, recorded once', async () => {
    const repo = await repoVariant(200);
    try {
      let failed = false;
      proxy.fault = (request) => {
        const historyWrite = isWrite(request) && request.url.startsWith(CONFIG_MAPS) && request.body.includes('history.json');
        return historyWrite && !failed ? ((failed = true), '500-after') : 'pass';
      };
      const run = await apply(repo.repo, 'history-500');
      assert.ok(failed, 'the fault was injected');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Applied \d+ changes? to staging/);
      const history = await readHistory(client, 'fsm-system', 'staging');
      assert.equal(history.filter((r) => r.commit === 'history-500').length, 1);
    } finally {
      await repo.cleanup();
    }
  });

  test('a rollback whose writes went through but answered 500 reports the cluster restored, and it is', async () => {
    const repo = await repoVariant(210);
    try {
      const before = await fsmState();
      let applies = 0;
      let rollingBack = false;
      let broken = '';
      const answered500 = new Set<string>();
      proxy.fault = (request) => {
        if (!isWrite(request)) return 'pass';
        if (request.url === broken) return 'reset';
        if (rollingBack) {
          // Each rollback write goes through once and is answered 500; its retry meets what it did.
          const key = `${request.method} ${request.url}`;
          if (answered500.has(key)) return 'pass';
          answered500.add(key);
          return '500-after';
        }
        if (isApply(request) && ++applies === 3) {
          rollingBack = true;
          broken = request.url;
          return 'reset'; // the third write fails for good: the apply rolls back
        }
        return 'pass';
      };
      const run = await apply(repo.repo, 'rollback-500');
      assert.ok(answered500.size >= 2, `rollback writes were answered 500: ${[...answered500].join(', ')}`);
      assert.equal(run.code, 3);
      assert.match(run.stderr, /Rolled back: the cluster is as it was before this apply/, run.stderr);
      proxy.fault = () => 'pass';
      assert.deepEqual(await fsmState(), before);
    } finally {
      await repo.cleanup();
    }
  });

  test('the server gone after the first write, for good: the rollback tries for its minute, the outcome is printed, the history kept and written by the next apply', async () => {
    const repo = await repoVariant(220);
    try {
      let gone = false;
      proxy.fault = (request) => {
        if (gone) return 'reset';
        if (isApply(request)) gone = true;
        return 'pass';
      };
      const run = await apply(repo.repo, 'server-gone');
      assert.equal(run.code, 3);
      assert.match(run.stdout, /update Plugin cors-policy/, 'what was written is listed');
      assert.match(run.stderr, /apply failed: .*Rollback incomplete, the cluster needs attention/s);
      assert.match(run.stderr, /not undone: .*update Plugin cors-policy/);
      assert.match(run.stderr, /the apply history could not be written to the cluster .* kept in .*pending-history.* the next apply of staging writes it/s);
      assert.match(run.stderr, /apply lock of staging could not be released/);
      const target = { server: proxy.client().server, namespace: 'fsm-system', environment: 'staging' };
      assert.deepEqual(new PendingHistory(stateDir).load(target).map((r) => [r.commit, r.result]), [['server-gone', 'failed']]);

      // The server is back (the Lease left behind expires first).
      proxy.fault = () => 'pass';
      await client.request({ method: 'DELETE', path: `${LEASES}/fsm-gitops-staging`, what: 'expire the stale Lease' }).catch(() => undefined);
      const next = await apply(repo.repo, 'server-back');
      assert.equal(next.code, 0, next.stderr);
      assert.match(next.stderr, /wrote 1 history record\(s\) an earlier apply could not/);
      const history = await readHistory(client, 'fsm-system', 'staging');
      assert.deepEqual(history.slice(0, 2).map((r) => [r.commit, r.result]), [['server-back', 'applied'], ['server-gone', 'failed']]);
      assert.deepEqual(new PendingHistory(stateDir).load(target), []);
    } finally {
      await repo.cleanup();
    }
  });

  test('the server gone for longer than a write\'s retries but back within the rollback\'s time: the rollback waits for it and restores the cluster', async () => {
    const repo = await repoVariant(225);
    try {
      const before = await fsmState();
      let backAt = 0;
      proxy.fault = (request) => {
        if (backAt > 0) return Date.now() < backAt ? 'reset' : 'pass';
        if (isApply(request)) backAt = Date.now() + 8_000; // gone after the first write, as a restarting API server is
        return 'pass';
      };
      const run = await apply(repo.repo, 'server-restarting');
      assert.equal(run.code, 3);
      assert.match(run.stderr, /apply failed: .*Rolled back: the cluster is as it was before this apply/s);
      assert.doesNotMatch(run.stderr, /not undone/);
      proxy.fault = () => 'pass';
      assert.deepEqual(await fsmState(), before);
    } finally {
      proxy.fault = () => 'pass';
      await repo.cleanup();
    }
  });

  test('--timeout: a write the frozen server never answers stops the apply at the deadline, and what was written is rolled back', async () => {
    const repo = await repoVariant(230);
    try {
      const before = await fsmState();
      let applies = 0;
      let frozen = '';
      proxy.fault = (request) => {
        if (request.url === frozen) return 'hang';
        if (isApply(request) && ++applies === 2) {
          frozen = request.url;
          return 'hang';
        }
        return 'pass';
      };
      const started = Date.now();
      const run = await apply(repo.repo, 'timeout', ['--timeout', '4']);
      const seconds = (Date.now() - started) / 1000;
      assert.equal(run.code, 3);
      assert.match(run.stderr, /apply failed: .*time limit of this run is up.*Rolled back: the cluster is as it was before this apply/s);
      assert.ok(seconds < 20, `stopped at the deadline, not after 30 s x 5 tries: ${seconds} s`);
      proxy.fault = () => 'pass';
      assert.deepEqual(await fsmState(), before);
    } finally {
      await repo.cleanup();
    }
  });

  test('a rolled-back MeshConfig change gives fsm-bootstrap its fields back: the next apply of the old commit leaves them', async () => {
    const { repo, cleanup } = await copyExampleRepo();
    try {
      const before = (await client.get(MESH_CONFIG, 'read')) as KubeObject;
      assert.deepEqual(ownersOf(before, ['spec', 'sidecar', 'logLevel']).map((o) => o.manager), ['fsm-bootstrap']);
      const file = join(repo, 'clusters/staging/meshconfig.yaml');
      const original = await readFile(file, 'utf8');
      await writeFile(file, `${original}  sidecar:\n    logLevel: debug\n`);
      proxy.fault = (request) => (isWrite(request) && request.url.includes('/apis/plugin.flomesh.io/') ? 'reset' : 'pass');
      const failed = await apply(repo, 'log-debug');
      proxy.fault = () => 'pass';
      assert.equal(failed.code, 3);
      assert.match(failed.stderr, /Rolled back: the cluster is as it was before this apply/, failed.stderr);
      const rolledBack = (await client.get(MESH_CONFIG, 'read')) as KubeObject;
      assert.deepEqual(rolledBack['spec'], before['spec']);
      assert.ok(sameOwnership(rolledBack, before), 'every field has the owner it had');

      await writeFile(file, original);
      const again = await apply(repo, 'log-unset');
      assert.ok(again.code === 0, again.stderr);
      const after = (await client.get(MESH_CONFIG, 'read')) as KubeObject;
      assert.equal((after['spec'] as { sidecar: { logLevel: string } }).sidecar.logLevel, (before['spec'] as { sidecar: { logLevel: string } }).sidecar.logLevel);
    } finally {
      await cleanup();
    }
  });

  test("a rollback after someone's kubectl edit of fsm-gitops's field takes none of fsm-bootstrap's fields beside it, so the next apply removes none", async () => {
    const { repo, cleanup } = await copyExampleRepo();
    const featureFlags = async () => ((await client.get(MESH_CONFIG, 'read')) as { spec: { featureFlags: Record<string, unknown> } }).spec.featureFlags;
    try {
      assert.equal((await apply(repo, 'flags-1')).code, 0);
      const flags = await featureFlags();
      const bootstrapFlag = Object.keys(flags).find((k) => k !== 'enablePluginPolicy')!;
      // The edit comes a second after the apply, as a person's would (managedFields times are whole seconds).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await client.request({ method: 'PATCH', path: MESH_CONFIG, query: { fieldManager: 'kubectl-edit' }, contentType: 'application/merge-patch+json', body: { spec: { featureFlags: { enablePluginPolicy: false } } }, what: 'kubectl edit' });
      const edited = (await client.get(MESH_CONFIG, 'read')) as KubeObject;
      assert.deepEqual(ownersOf(edited, ['spec', 'featureFlags', bootstrapFlag]).map((o) => o.manager), ['fsm-bootstrap'], 'what is left of fsm-gitops\'s featureFlags owns nothing');

      // The next apply takes enablePluginPolicy back, then fails on a Plugin and rolls the MeshConfig back.
      proxy.fault = (request) => (isWrite(request) && request.url.includes('/apis/plugin.flomesh.io/') && !request.url.includes('/leases') ? 'reset' : 'pass');
      const variant = await repoVariant(211);
      const failed = await apply(variant.repo, 'flags-2').finally(() => variant.cleanup());
      proxy.fault = () => 'pass';
      assert.equal(failed.code, 3, failed.stderr);
      assert.match(failed.stderr, /Rolled back: the cluster is as it was before this apply/, failed.stderr);
      const rolledBack = (await client.get(MESH_CONFIG, 'read')) as KubeObject;
      assert.deepEqual(ownersOf(rolledBack, ['spec', 'featureFlags', bootstrapFlag]).map((o) => o.manager), ['fsm-bootstrap'], 'the restore did not take it');

      assert.equal((await apply(repo, 'flags-3')).code, 0);
      assert.deepEqual(Object.keys(await featureFlags()).sort(), Object.keys(flags).sort(), 'every flag is still there');
    } finally {
      await cleanup();
    }
  });

  test('--timeout while waiting for the lock fails naming the holder; while the dry run hangs, it is an expected failure', async () => {
    const now = new Date().toISOString().replace(/Z$/, '000Z');
    await client.request({ method: 'POST', path: LEASES, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'fsm-gitops-staging', namespace: 'fsm-system', annotations: { [COMMIT_ANNOTATION]: 'theirs' } }, spec: { holderIdentity: 'bob@elsewhere', leaseDurationSeconds: 300, acquireTime: now, renewTime: now } }, what: 'a Lease someone holds' });
    try {
      const waited = await apply('examples/gitops', 'lock-wait', ['--timeout', '3']);
      assert.equal(waited.code, 3);
      assert.match(waited.stderr, /locked by bob@elsewhere \(applying commit theirs\)/);
      assert.doesNotMatch(waited.stderr, /bug in fsm-gitops/);
    } finally {
      await client.request({ method: 'DELETE', path: `${LEASES}/fsm-gitops-staging`, what: 'release it' });
    }
    proxy.fault = (request) => (request.url.includes('dryRun=') ? 'hang' : 'pass');
    // A change: objects as fsm-gitops applied them are not dry-run (src/plan/proven-unchanged.ts).
    const changed = await repoVariant(190);
    try {
      const hung = await apply(changed.repo, 'dry-run-hangs', ['--timeout', '3']);
      assert.equal(hung.code, 3);
      assert.match(hung.stderr, /the time limit of this run is up/);
      assert.doesNotMatch(hung.stderr, /bug in fsm-gitops/);
    } finally {
      await changed.cleanup();
    }
  });
});
