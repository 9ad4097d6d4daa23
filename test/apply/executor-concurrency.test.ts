/**
 * The apply's requests and their concurrency (issue 12): one write per object and no reads when nothing
 * fails, writes of one dependency level in flight together within the bound, the next level only after
 * the last one, and on a failure no new write, those in flight awaited, everything written rolled back.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { objectKey, type KubeObject } from '../../src/core/kube.ts';
import { executeApply, type ExecuteOptions } from '../../src/apply/executor.ts';
import { fsmObjectPath } from '../../src/kube/fsm-objects.ts';
import type { KubeApi, KubeRequest } from '../../src/kube/kube-client.ts';
import type { ApplySet } from '../../src/plan/apply-set.ts';
import { apiError, FakeKube } from '../support/fake-kube.ts';

const COMMIT = 'c0ffee';
const LABELS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };

function plugin(name: string, priority = 100): KubeObject {
  return { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name, labels: { ...LABELS } }, spec: { priority, pipyscript: `// ${name}` } };
}

function chain(name: string): KubeObject {
  return { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'PluginChain', metadata: { name, namespace: 'bookinfo', labels: { ...LABELS } }, spec: { chains: [] } };
}

const plugins = (count: number, prefix = 'p'): KubeObject[] => Array.from({ length: count }, (_, i) => plugin(`${prefix}-${String(i).padStart(3, '0')}`));
const nameOf = (request: KubeRequest): string => request.path.split('/').pop()!;

/** The in-memory API server answering each request after a pause (1 ms), counting what is in flight. */
class SlowKube extends FakeKube {
  inFlight = 0;
  mostInFlight = 0;
  /** What happened, in order: `start PATCH p-001`, `end PATCH p-001`. */
  readonly events: string[] = [];

  override async request<T = JsonObject>(request: KubeRequest): Promise<T> {
    this.events.push(`start ${request.method} ${nameOf(request)}`);
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      await sleep(1);
      return await super.request<T>(request);
    } finally {
      this.inFlight--;
      this.events.push(`end ${request.method} ${nameOf(request)}`);
    }
  }
}

let fake: SlowKube;
beforeEach(() => {
  fake = new SlowKube();
});

/** The set as the plan hands it over: with the live objects it read (the fake's, now). */
function planned(apply: KubeObject[], prune: KubeObject[] = []): ApplySet {
  const live = new Map<string, KubeObject>();
  for (const object of [...apply, ...prune]) {
    const seen = fake.read(fsmObjectPath(object));
    if (seen) live.set(objectKey(object), seen as KubeObject);
  }
  return { apply, prune, live };
}

function run(set: ApplySet, options: Partial<ExecuteOptions> = {}, client: KubeApi = fake) {
  return executeApply(client, set, { commit: COMMIT, environment: 'staging', changed: new Set(set.apply.map(objectKey)), concurrency: 4, ...options });
}

const seeded = (objects: KubeObject[]): KubeObject[] => objects.map((o) => fake.seed(fsmObjectPath(o), o) as KubeObject);
const ours = (): string[] => [...fake.objects.keys()].filter((path) => path.includes('/plugins/') || path.includes('/pluginchains/'));

test('N creates are N writes and no read; N updates N conditional writes; N prunes N conditional deletes', async () => {
  const result = await run(planned(plugins(40)));
  assert.equal(result.result, 'applied', result.message);
  assert.equal(result.done.length, 40);
  assert.deepEqual(fake.requests.map((r) => r.method), Array(40).fill('PATCH'));

  fake.requests.length = 0;
  const updated = plugins(40).map((p) => plugin(p.metadata.name, 200));
  const set = planned(updated);
  assert.equal((await run(set)).result, 'applied');
  assert.deepEqual(fake.requests.map((r) => r.method), Array(40).fill('PATCH'));
  for (const request of fake.requests) {
    const sent = ((request.body as JsonObject)['metadata'] as JsonObject)['resourceVersion'];
    assert.equal(sent, set.live!.get(objectKey(plugin(nameOf(request))))!.metadata['resourceVersion'], 'conditional on the version the plan read');
  }

  fake.requests.length = 0;
  const live = planned([], plugins(40).map((p) => fake.read(fsmObjectPath(p)) as KubeObject));
  const pruned = await run(live);
  assert.equal(pruned.result, 'applied', pruned.message);
  assert.deepEqual(fake.requests.map((r) => r.method), Array(40).fill('DELETE'));
  assert.ok(fake.requests.every((r) => ((r.body as JsonObject)['preconditions'] as JsonObject)['resourceVersion']), 'each delete conditional');
  assert.deepEqual(ours(), []);
});

test('writes of one level are in flight together, at most the bound; the next level starts after the last answer', async () => {
  const set = planned([...plugins(20), chain('c-1'), chain('c-2')], seeded([plugin('old-1'), plugin('old-2')]));
  const result = await run(set, { concurrency: 5 });
  assert.equal(result.result, 'applied', result.message);
  assert.equal(fake.mostInFlight, 5);
  const firstChain = fake.events.indexOf('start PATCH c-1');
  const lastPlugin = Math.max(...plugins(20).map((p) => fake.events.indexOf(`end PATCH ${p.metadata.name}`)));
  assert.ok(lastPlugin < firstChain, 'PluginChains after every Plugin is written');
  const firstDelete = fake.events.findIndex((e) => e.startsWith('start DELETE'));
  assert.ok(Math.max(fake.events.indexOf('end PATCH c-1'), fake.events.indexOf('end PATCH c-2')) < firstDelete, 'prunes after every write');
  assert.deepEqual(result.done.slice(0, 3), ['create Plugin p-000', 'create Plugin p-001', 'create Plugin p-002'], 'reported in the plan\'s order');
  assert.deepEqual(result.done.slice(-2), ['delete Plugin old-1', 'delete Plugin old-2']);
});

test('a failure midway: no new write starts, those in flight finish (answers lost: uncertain), and everything written is rolled back', async () => {
  let failed = false;
  fake.fault = (request) => {
    if (request.method !== 'PATCH') return 'pass';
    if (nameOf(request) === 'p-010') {
      failed = true;
      return apiError(422, request.what, 'Invalid');
    }
    return failed ? 'lost-answer' : 'pass'; // the writes in flight went through, their answers did not
  };
  const result = await run(planned(plugins(40)), { concurrency: 4 });
  assert.equal(result.result, 'rolled-back', result.message);
  assert.match(result.message ?? '', /injected 422.*Rolled back: the cluster is as it was before this apply/);

  const started = fake.events.filter((e) => e.startsWith('start PATCH')).map((e) => e.slice('start PATCH '.length));
  const failedAt = fake.events.indexOf('end PATCH p-010');
  const startedAfter = fake.events.slice(failedAt).filter((e) => e.startsWith('start PATCH'));
  assert.deepEqual(startedAfter, [], 'nothing started after the failure');
  assert.ok(started.length < 40 && started.length >= 11, `${started.length} writes started`);

  const lost = fake.requests.filter((r) => r.method === 'PATCH' && nameOf(r) > 'p-010').map((r) => `create Plugin ${nameOf(r)}`);
  assert.ok(lost.length >= 1, 'some writes were in flight when p-010 failed');
  assert.deepEqual(result.uncertain, lost);
  assert.deepEqual(result.done, started.filter((n) => n < 'p-010').map((n) => `create Plugin ${n}`));
  assert.deepEqual(ours(), [], 'the answered and the uncertain writes alike are undone');
  const deletes = fake.requests.filter((r) => r.method === 'DELETE').length;
  assert.equal(deletes, result.done.length + lost.length);
});

test('a failure mid-prune: the deletes in flight finish, none starts after, and everything pruned is created again', async () => {
  const old = seeded(plugins(12, 'old'));
  fake.fault = (request) => (request.method === 'DELETE' && nameOf(request) === 'old-005' ? apiError(500, request.what) : 'pass');
  const result = await run(planned([], old), { concurrency: 3 });
  assert.equal(result.result, 'rolled-back', result.message);
  assert.deepEqual(result.uncertain, ['delete Plugin old-005'], 'a 500 may have deleted it');
  const deleted = fake.requests.filter((r) => r.method === 'DELETE').map(nameOf);
  assert.ok(deleted.some((name) => name > 'old-005'), `deletes in flight alongside old-005 finished: ${deleted.join(', ')}`);
  assert.ok(!deleted.includes('old-011'), 'none started after the failure');
  assert.equal(fake.requests.filter((r) => r.method === 'POST').length, result.done.length, 'each pruned object created again');
  assert.deepEqual(ours().length, 12, 'all there again');
  for (const object of old) assert.ok(fake.read(fsmObjectPath(object)));
});

test('the write\'s answer is the verify: an answer without the commit fails the apply, and the write is undone', async () => {
  const stripping: KubeApi = {
    server: fake.server,
    get: (...args) => fake.get(...args),
    list: (...args) => fake.list(...args),
    request: async <T,>(request: KubeRequest): Promise<T> => {
      const answer = (await fake.request(request)) as JsonObject;
      if (request.method === 'PATCH') delete ((answer['metadata'] as JsonObject)['annotations'] as JsonObject)['fsm-gitops.io/commit'];
      return answer as T;
    },
  };
  const result = await run(planned([plugin('a')]), {}, stripping);
  assert.equal(result.result, 'rolled-back', result.message);
  assert.match(result.message ?? '', /^verify: Plugin a does not carry commit c0ffee after apply/);
  assert.deepEqual(ours(), []);
});
