import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { acquireLock } from '../../src/apply/lock.ts';
import { readHistory } from '../../src/apply/history.ts';
import { executeApply } from '../../src/apply/executor.ts';
import { ABSENT_VERSION } from '../../src/apply/guarded-writes.ts';
import { deleteFsmObject, serverSideApply } from '../../src/kube/fsm-objects.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { sameOwnership } from '../../src/apply/restore-ownership.ts';
import { isObject } from '../../src/core/json.ts';
import { keyOf, objectKey, type KubeObject } from '../../src/core/kube.ts';
import { COMMIT_ANNOTATION } from '../../src/core/ownership.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { loadRepoConfig } from '../../src/config/repo-config.ts';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient, type KubeApi } from '../../src/kube/kube-client.ts';
import { applySet } from '../../src/plan/apply-set.ts';
import { normalize } from '../../src/plan/normalize.ts';
import { Claims } from '../../src/deploy/claims.ts';
import { Pins } from '../../src/deploy/pins.ts';
import { cli } from '../support/cli.ts';
import { asManifest, create, startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';

let kubeconfig: string;
let client: KubeClient;
const EXAMPLE = ['--repo', 'examples/gitops', '--env', 'staging'];
const MESH = { name: 'fsm', namespace: 'fsm-system' };

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
});
after(() => stopCluster(kubeconfig));

/** The FSM objects of the cluster, normalized (no managedFields, resourceVersion, ...), by key. */
async function fsmState(): Promise<Map<string, unknown>> {
  const live = await new ClusterReader(client).read(MESH);
  const objects = [...(live.meshConfig ? [live.meshConfig] : []), ...live.pluginObjects];
  return new Map(objects.map((o) => [objectKey(o), normalize(o)]));
}

async function stagingApplySet() {
  const repo = new FolderRepo('examples/gitops');
  const config = (await loadRepoConfig(repo))!;
  const desired = await loadEnvironment(repo, config.environments.find((e) => e.name === 'staging')!);
  return applySet(desired, await new ClusterReader(client).read(MESH));
}

/** A client that fails the n-th real (not dry-run) server-side apply: a fault injected mid-apply. */
function failingOnApply(n: number): KubeApi {
  let applies = 0;
  return {
    server: client.server,
    get: (...args) => client.get(...args),
    list: (...args) => client.list(...args),
    request: (request) => {
      if (request.method === 'PATCH' && !request.query?.['dryRun'] && ++applies === n) {
        return Promise.reject(new Error(`injected failure at apply ${n}`));
      }
      return client.request(request);
    },
  };
}

/** A client that fails the delete of one object (its path ends with `name`): a fault mid-prune. */
function failingOnDelete(name: string): KubeApi {
  return {
    server: client.server,
    get: (...args) => client.get(...args),
    list: (...args) => client.list(...args),
    request: (request) => (request.method === 'DELETE' && request.path.endsWith(`/${name}`) ? Promise.reject(new Error(`injected failure deleting ${name}`)) : client.request(request)),
  };
}

describe('apply on a real API server', { concurrency: false }, () => {
  test('a create is conditional without a read: the server ignores ABSENT_VERSION when it creates, and answers 409 when the object exists', async () => {
    const manifest: KubeObject = { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'absent-check', resourceVersion: ABSENT_VERSION }, spec: { priority: 1, pipyscript: '// absent-check' } };
    const created = await serverSideApply(client, manifest, false);
    assert.notEqual(created.metadata['resourceVersion'], ABSENT_VERSION);
    await assert.rejects(serverSideApply(client, manifest, false), (error: unknown) => error instanceof KubeApiError && error.status === 409);
    await deleteFsmObject(client, manifest);
  });

  test('a failure mid-prune recreates what was pruned, with the owners its fields had', async () => {
    const before = await fsmState();
    const chainPath = '/apis/plugin.flomesh.io/v1alpha1/namespaces/bookinfo/pluginchains/legacy-logger-chain';
    const chainBefore = (await client.get(chainPath, 'read')) as KubeObject;
    const set = await stagingApplySet();
    const result = await executeApply(failingOnDelete('legacy-logger'), set, { commit: 'c0ffee', environment: 'staging', changed: new Set(set.apply.map(objectKey)) });
    assert.equal(result.result, 'rolled-back', result.message);
    assert.ok(result.done.includes('delete PluginChain bookinfo/legacy-logger-chain'), result.done.join(', '));
    assert.deepEqual(await fsmState(), before);
    assert.ok(sameOwnership((await client.get(chainPath, 'read')) as KubeObject, chainBefore), 'managedFields as before the prune');
  });

  test('a failure mid-apply rolls back: the cluster ends as it started', async () => {
    const before = await fsmState();
    const set = await stagingApplySet();
    const changed = new Set(set.apply.map(objectKey));
    const result = await executeApply(failingOnApply(3), set, { commit: 'c0ffee', environment: 'staging', changed });
    assert.equal(result.result, 'rolled-back', result.message);
    assert.match(result.message!, /injected failure at apply 3\. Rolled back: the cluster is as it was/);
    assert.deepEqual(result.done.length, 2, 'two steps were done, then undone');
    assert.deepEqual(await fsmState(), before);
  });

  test('answering anything but yes at the question exits 4 and writes nothing', async () => {
    const before = await fsmState();
    const run = await cli(['apply', ...EXAMPLE, '--kubeconfig', kubeconfig, ...serves()], { stdinIsTty: true, answers: ['no'] });
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /Apply these changes to staging \(context "kube-test-cluster", https:.*\)\? Only 'yes' is accepted: /);
    assert.match(run.stderr, /Not applied/);
    assert.deepEqual(await fsmState(), before);
  });

  test("a pull request's claim and a rollback's pin do not stop a CLI apply: both are warned of before the question", async () => {
    const claims = new Claims(client, 'fsm-system');
    const pins = new Pins(client, 'fsm-system');
    await claims.take('staging', { repository: 'acme/mesh', pr: 12, headSha: 'a1'.repeat(20), actor: 'alice', since: new Date().toISOString() });
    await pins.pin('staging', { sha: 'b2'.repeat(20), deployment: 7, actor: 'bob', since: new Date().toISOString() });
    try {
      const run = await cli(['apply', ...EXAMPLE, '--kubeconfig', kubeconfig, ...serves()], { stdinIsTty: true, answers: ['no'] });
      assert.equal(run.code, 4, run.stderr);
      const claimed = run.stderr.indexOf('fsm-gitops: warning: staging is held by pull request acme/mesh#12, which applied a1a1a1a (by alice) before merging: this apply replaces what it applied, and acme/mesh#12 keeps its claim (/fsm unlock staging releases it)');
      const paused = run.stderr.indexOf('fsm-gitops: warning: staging is paused since a rollback to b2b2b2b (by bob): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock staging');
      const question = run.stderr.indexOf('Apply these changes to staging');
      assert.ok(claimed >= 0 && paused > claimed && question > paused, run.stderr);
      assert.equal((await claims.read('staging'))?.pr, 12, 'declined: the claim stays as it was');
    } finally {
      await claims.release('staging');
      await pins.unpin('staging');
    }
  });

  test('a second apply waits for the lock, then fails naming the holder', async () => {
    const held = await acquireLock(client, 'fsm-system', 'staging', { holder: 'alice@laptop', commit: 'abc123' });
    try {
      const run = await cli(['apply', ...EXAMPLE, '--kubeconfig', kubeconfig, ...serves(), '--yes', '--lock-timeout', '1']);
      assert.equal(run.code, 3);
      assert.match(run.stderr, /locked by alice@laptop \(applying commit abc123\)/);
      assert.match(run.stderr, /waiting for alice@laptop/);
    } finally {
      await held.release();
    }
  });

  test('two applies at once: one applies, the other waits its turn and then finds nothing left to do', async () => {
    // On a terminal (stdout and stderr both on screen): each step is shown once, by the progress on stderr.
    const apply = () => cli(['apply', ...EXAMPLE, '--kubeconfig', kubeconfig, ...serves(), '--yes', '--no-color', '--commit', 'feedbeef', '--lock-timeout', '60'], { stdoutIsTty: true, stderrIsTty: true });
    const [a, b] = await Promise.all([apply(), apply()]);
    assert.deepEqual([a.code, b.code], [0, 0], `${a.stderr}\n${b.stderr}`);
    const outputs = [a.stdout, b.stdout];
    assert.equal(outputs.filter((o) => /Applied \d+ changes? to staging/.test(o)).length, 1, outputs.join('\n---\n'));
    assert.equal(outputs.filter((o) => /nothing to apply/.test(o)).length, 1);
    const applied = /Applied/.test(a.stdout) ? a : b;
    const screen = `${applied.stdout}${applied.stderr}`;
    for (const step of ['update MeshConfig fsm-system/fsm-mesh-config', 'create Plugin cors-policy', 'delete Plugin legacy-logger']) {
      assert.equal(screen.split('\n').filter((line) => line.trim() === step).length, 1, `${step} once:\n${screen}`);
    }
  });

  test('applied in order over fsm-bootstrap\'s fields, pruned, annotated with the commit, recorded', async () => {
    const [record] = await readHistory(client, 'fsm-system', 'staging');
    assert.equal(record?.commit, 'feedbeef');
    assert.equal(record?.result, 'applied');
    assert.deepEqual(record?.changes, [
      'update MeshConfig fsm-system/fsm-mesh-config',
      'create Plugin cors-policy',
      'create PluginChain bookinfo/cors-chain',
      'create PluginConfig bookinfo/cors-config',
      'delete PluginChain bookinfo/legacy-logger-chain',
      'delete Plugin legacy-logger',
    ]);
    const state = await fsmState();
    const meshConfig = state.get(keyOf('config.flomesh.io/v1alpha3', 'MeshConfig', 'fsm-system', 'fsm-mesh-config')) as KubeObject;
    assert.equal((meshConfig['spec'] as { featureFlags: { enablePluginPolicy: boolean } }).featureFlags.enablePluginPolicy, true);
    assert.ok(state.has(keyOf('plugin.flomesh.io/v1alpha1', 'Plugin', undefined, 'team-authz')), 'an object fsm-gitops did not create is never pruned');
    assert.ok(!state.has(keyOf('plugin.flomesh.io/v1alpha1', 'Plugin', undefined, 'legacy-logger')));
    const live = await client.get('/apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy', 'read');
    const annotations = isObject(live?.['metadata']) ? (live['metadata']['annotations'] as Record<string, string>) : {};
    assert.equal(annotations[COMMIT_ANNOTATION], 'feedbeef');
    const managers = ((live?.['metadata'] as { managedFields: { manager: string; operation: string }[] }).managedFields).map((m) => `${m.manager}/${m.operation}`);
    assert.deepEqual(managers, ['fsm-gitops/Apply']);
  });

  test('plan after apply shows no changes', async () => {
    const run = await cli(['plan', ...EXAMPLE, '--kubeconfig', kubeconfig, ...serves(), '--detailed-exitcode', '--format', 'json']);
    const plan = JSON.parse(run.stdout) as { environments: { changes: { kind: string; action: string }[] }[] };
    const changed = plan.environments[0]!.changes.filter((c) => c.action !== 'unchanged' && c.kind !== 'HelmValues');
    assert.deepEqual(changed, []);
  });

  test('an update carries the uid the plan read: the server refuses it for an object that is gone (a server-side apply would create it whatever its resourceVersion)', async () => {
    const live = (await client.get('/apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy', 'read')) as KubeObject;
    const gone: KubeObject = { ...asManifest(live), metadata: { name: 'never-created', uid: live.metadata['uid'] as string, resourceVersion: live.metadata['resourceVersion'] as string } };
    await assert.rejects(serverSideApply(client, gone, false), (error: unknown) => error instanceof KubeApiError && error.status === 409 && /uid mismatch/.test(error.message));
    assert.equal(await client.get('/apis/plugin.flomesh.io/v1alpha1/plugins/never-created', 'read'), undefined);
  });

  test('an object deleted since the plan is not created again: the apply stops, rolls back what it wrote, and the object stays deleted', async () => {
    const configPath = '/apis/plugin.flomesh.io/v1alpha1/namespaces/bookinfo/pluginconfigs/cors-config';
    const set = await stagingApplySet();
    const changed = new Set(set.apply.map(objectKey));
    await deleteFsmObject(client, (await client.get(configPath, 'read')) as KubeObject);
    const before = await fsmState();
    const result = await executeApply(client, set, { commit: 'de1e7ed', environment: 'staging', changed });
    assert.equal(result.result, 'rolled-back', result.message);
    assert.match(result.message!, /PluginConfig bookinfo\/cors-config was deleted since the plan read it: not creating it again, which the plan did not show\. The cluster changed since the plan; plan again\. Rolled back: the cluster is as it was/);
    assert.ok(!result.done.some((step) => step.includes('cors-config')), result.done.join(', '));
    assert.equal(await client.get(configPath, 'read'), undefined);
    assert.deepEqual(await fsmState(), before);
    const again = await stagingApplySet();
    assert.equal((await executeApply(client, again, { commit: 'feedbeef', environment: 'staging', changed: new Set(again.apply.map(objectKey)) })).result, 'applied');
  });

  test('the MeshConfig deleted since the plan is never created from the repository\'s partial spec: refused, nothing written', async () => {
    const meshPath = '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config';
    const saved = (await client.get(meshPath, 'read')) as KubeObject;
    const set = await stagingApplySet();
    await deleteFsmObject(client, saved);
    try {
      const before = await fsmState();
      const result = await executeApply(client, set, { commit: 'de1e7ed', environment: 'staging', changed: new Set(set.apply.map(objectKey)) });
      assert.equal(result.result, 'rolled-back', result.message);
      assert.match(result.message!, /^MeshConfig fsm-system\/fsm-mesh-config was deleted since the plan read it: not creating it again/);
      assert.deepEqual(result.done, []);
      assert.equal(await client.get(meshPath, 'read'), undefined);
      assert.deepEqual(await fsmState(), before);
    } finally {
      await create(client, saved, 'fsm-bootstrap');
    }
  });
});
