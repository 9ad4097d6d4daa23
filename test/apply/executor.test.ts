import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { objectKey, type KubeObject } from '../../src/core/kube.ts';
import { executeApply, type ExecuteOptions } from '../../src/apply/executor.ts';
import { ABSENT_VERSION } from '../../src/apply/guarded-writes.ts';
import { LeaseLostError } from '../../src/apply/lease-renewal.ts';
import { fsmObjectPath } from '../../src/kube/fsm-objects.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import type { ApplySet } from '../../src/plan/apply-set.ts';
import { apiError, FakeKube } from '../support/fake-kube.ts';

const COMMIT = 'c0ffee';
const LABELS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };

/** A Plugin manifest as ApplySet.apply holds it: labelled for the environment. */
function plugin(name: string, priority = 100): KubeObject {
  return { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name, labels: { ...LABELS } }, spec: { priority, pipyscript: `// ${name}` } };
}

let fake: FakeKube;
beforeEach(() => {
  fake = new FakeKube();
});

/** The set as the plan hands it over: with the live objects it read (the fake's, now). */
function planned(set: ApplySet): ApplySet {
  const live = new Map<string, KubeObject>();
  for (const object of [...set.apply, ...set.prune]) {
    const seen = fake.read(fsmObjectPath(object));
    if (seen) live.set(objectKey(object), seen as KubeObject);
  }
  return { ...set, live };
}

/** Plans (reads the fake) and applies; `unplanned` applies a set without the plan's live objects. */
function run(set: ApplySet, options: Partial<ExecuteOptions> = {}, unplanned = false) {
  return executeApply(fake, unplanned ? set : planned(set), { commit: COMMIT, environment: 'staging', changed: new Set(set.apply.map(objectKey)), ...options });
}

const A = plugin('a');
const B = plugin('b');
const exists = (object: KubeObject): boolean => fake.read(fsmObjectPath(object)) !== undefined;
const writes = (): string[] => fake.writes.map((w) => `${w.method} ${w.path.split('/').pop()}`);

test('all written and verified from the answers: applied, every object carrying the commit, one request each', async () => {
  const result = await run({ apply: [A, B], prune: [] });
  assert.deepEqual(result, { result: 'applied', done: ['create Plugin a', 'create Plugin b'], uncertain: [], notUndone: [] });
  assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`), ['PATCH a', 'PATCH b'], 'no read before nor after');
  const annotations = (fake.read(fsmObjectPath(B))!['metadata'] as JsonObject)['annotations'] as JsonObject;
  assert.equal(annotations['fsm-gitops.io/commit'], COMMIT);
});

test('the Lease lost after the first write: failed, not rolled back, nothing more written', async () => {
  const fence = (): void => {
    if (fake.writes.length >= 1) throw new LeaseLostError('fsm-gitops-staging', 'taken over by bob@ci');
  };
  const result = await run({ apply: [A, B], prune: [] }, { fence });
  assert.equal(result.result, 'failed');
  assert.match(result.message ?? '', /lost the apply lock \(Lease fsm-gitops-staging\): taken over by bob@ci.*Not rolled back: another apply may be changing the environment now/);
  assert.deepEqual(result.done, ['create Plugin a']);
  assert.deepEqual(result.notUndone, []);
  assert.deepEqual(writes(), ['PATCH a'], 'no rollback write');
  assert.ok(exists(A), 'our first write stands: undoing it could undo the next apply');
  assert.equal(result.leaseLost, true, 'its history record is dated when it took the Lease');
});

test('the Lease lost after the last write (deleted by hand, another apply in): failed, not rolled back, every write listed', async () => {
  const confirm = async (): Promise<void> => {
    throw new LeaseLostError('fsm-gitops-staging', 'deleted by someone else');
  };
  const result = await run({ apply: [A, B], prune: [] }, { confirm });
  assert.equal(result.result, 'failed');
  assert.match(result.message ?? '', /deleted by someone else.*Not rolled back: another apply may be changing the environment now\. Run a plan/);
  assert.deepEqual(result.done, ['create Plugin a', 'create Plugin b']);
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b'], 'no rollback write');
});

test('the Lease lost while a write is retried (the client\'s guard): failed, not rolled back', async () => {
  let calls = 0;
  const fence = (): void => {
    if (++calls === 4) throw new LeaseLostError('fsm-gitops-staging', 'not renewed for 41 s of its 60 s');
  }; // 1: before a, 2: a's attempt, 3: before b, 4: b's attempt
  const result = await run({ apply: [A, B], prune: [] }, { fence });
  assert.equal(result.result, 'failed');
  assert.match(result.message ?? '', /Not rolled back/);
  assert.deepEqual(writes(), ['PATCH a']);
});

test('a write refused with a 4xx wrote nothing: not uncertain; the earlier writes are rolled back', async () => {
  fake.fault = (r) => (r.method === 'PATCH' && r.path.endsWith('/b') ? apiError(422, r.what, 'Invalid') : 'pass');
  const result = await run({ apply: [A, B], prune: [] });
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(result.done, ['create Plugin a']);
  assert.deepEqual(result.uncertain, []);
  assert.match(result.message ?? '', /injected 422.*Rolled back: the cluster is as it was before this apply/);
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b', 'DELETE a']);
  assert.ok(!exists(A) && !exists(B));
  assert.equal(result.leaseLost, undefined);
});

test('a write answered 500 after it went through is uncertain, and the rollback undoes it by reading', async () => {
  fake.fault = (r) => (r.method === 'PATCH' && r.path.endsWith('/b') ? 'lost-answer' : 'pass');
  const result = await run({ apply: [A, B], prune: [] });
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(result.done, ['create Plugin a']);
  assert.deepEqual(result.uncertain, ['create Plugin b']);
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b', 'DELETE b', 'DELETE a']);
  assert.ok(!exists(A) && !exists(B));
});

test('a write that got no answer (transport) is uncertain; the rollback finds it not made', async () => {
  fake.fault = (r) => (r.method === 'PATCH' && r.path.endsWith('/b') ? new KubeUnreachableError(fake.server, 'no answer within 30 s') : 'pass');
  const result = await run({ apply: [A, B], prune: [] });
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(result.uncertain, ['create Plugin b']);
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b', 'DELETE a']);
});

test('an object the plan read as not this environment\'s (made with kubectl) refuses the apply before its first write', async () => {
  fake.seed(fsmObjectPath(B), { ...plugin('b'), metadata: { name: 'b', managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] } });
  const result = await run({ apply: [A, B], prune: [] });
  assert.equal(result.result, 'refused');
  assert.match(result.message ?? '', /^nothing written: Plugin b is .*kubectl-create.* not writing it/);
  assert.deepEqual(fake.writes, []);
  assert.ok(!exists(A));
});

test('without the plan\'s live objects each object is read first, and one not this environment\'s refuses the apply before its first write', async () => {
  fake.seed(fsmObjectPath(B), { ...plugin('b'), metadata: { name: 'b', managedFields: [{ manager: 'kubectl-create', operation: 'Update' }] } });
  const result = await run({ apply: [A, B], prune: [] }, {}, true);
  assert.equal(result.result, 'refused');
  assert.match(result.message ?? '', /^nothing written: Plugin b is .*kubectl-create.* not writing it/);
  assert.deepEqual(fake.requests.map((r) => `${r.method} ${r.path.split('/').pop()}`), ['GET a', 'GET b']);
});

test('an object the plan read in another apiVersion is read again in the manifest\'s', async () => {
  const stored = fake.seed(fsmObjectPath(A), plugin('a', 1)) as KubeObject;
  const set = planned({ apply: [plugin('a', 2)], prune: [] });
  const live = new Map([[objectKey(A), { ...stored, apiVersion: 'plugin.flomesh.io/v1alpha2' }]]);
  const result = await executeApply(fake, { ...set, live }, { commit: COMMIT, environment: 'staging', changed: new Set([objectKey(A)]) });
  assert.equal(result.result, 'applied', result.message);
  assert.deepEqual(fake.requests.map((r) => r.method), ['GET', 'PATCH']);
  assert.equal(((fake.requests[1]!.body as JsonObject)['metadata'] as JsonObject)['resourceVersion'], stored.metadata['resourceVersion']);
});

test('a prune of an object relabelled since the plan refuses the apply before its first write', async () => {
  const old = fake.seed(fsmObjectPath(plugin('old')), plugin('old')) as KubeObject;
  const relabelled = structuredClone(old);
  relabelled.metadata['labels'] = { team: 'payments' };
  delete relabelled.metadata['resourceVersion'];
  fake.seed(fsmObjectPath(old), relabelled);
  const result = await run({ apply: [A], prune: [old] });
  assert.equal(result.result, 'refused');
  assert.match(result.message ?? '', /Plugin old no longer carries this environment's labels/);
  assert.deepEqual(fake.writes, []);
});

test('a prune is conditional on the version the plan read', async () => {
  const old = fake.seed(fsmObjectPath(plugin('old')), plugin('old')) as KubeObject;
  const result = await run({ apply: [A], prune: [old] });
  assert.equal(result.result, 'applied');
  assert.deepEqual(result.done, ['create Plugin a', 'delete Plugin old']);
  const deleted = fake.writes.find((w) => w.method === 'DELETE');
  assert.deepEqual((deleted?.body as JsonObject)['preconditions'], { resourceVersion: old.metadata['resourceVersion'] });
  assert.ok(!exists(old));
});

test('the rollback reads and writes with the rollback client', async () => {
  fake.fault = (r) => (r.method === 'PATCH' && r.path.endsWith('/b') ? apiError(400, r.what, 'BadRequest') : 'pass');
  const rollbackFake = new FakeKube(fake.server, fake.objects);
  const result = await run({ apply: [A, B], prune: [] }, { rollbackClient: () => rollbackFake });
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b'], 'nothing undone with the apply\'s client');
  assert.deepEqual(rollbackFake.requests.map((r) => r.method), ['GET', 'DELETE']);
  assert.ok(!exists(A));
});

test('an object someone creates between the plan and our create is not taken over: the conditional create is refused, earlier writes rolled back', async () => {
  fake.fault = (request) => {
    // Just before a's create, someone makes their own Plugin "b" with kubectl.
    if (request.method === 'PATCH' && request.path.endsWith('/a') && !fake.read(fsmObjectPath(B))) {
      fake.seed(fsmObjectPath(B), { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'b', labels: { team: 'someone-else' } }, spec: { priority: 1, pipyscript: 'theirs' } });
    }
    return 'pass';
  };
  const result = await run({ apply: [A, B], prune: [] });
  assert.equal(result.result, 'rolled-back', result.message);
  assert.match(result.message ?? '', /Plugin b is .*not writing it/);
  assert.deepEqual(writes(), ['PATCH a', 'PATCH b', 'DELETE a'], 'b\'s create answered 409 (it exists now), a undone');
  assert.equal(((fake.writes[1]!.body as JsonObject)['metadata'] as JsonObject)['resourceVersion'], ABSENT_VERSION, 'a create only if there is none');
  assert.equal((fake.read(fsmObjectPath(B))!['spec'] as JsonObject)['pipyscript'], 'theirs');
});

test('an update is conditional on the version it was judged on: someone relabelling it meanwhile stops the write', async () => {
  fake.seed(fsmObjectPath(A), plugin('a', 1));
  fake.fault = (request) => {
    if (request.method === 'PATCH' && request.path.endsWith('/a') && request.query?.['dryRun'] === undefined && fake.writes.length === 1) {
      // Between the executor's read and its write, someone takes the Plugin over (their labels).
      const theirs = fake.read(fsmObjectPath(A))!;
      (theirs['metadata'] as JsonObject)['labels'] = { team: 'someone-else' };
      delete (theirs['metadata'] as JsonObject)['resourceVersion'];
      fake.seed(fsmObjectPath(A), theirs);
    }
    return 'pass';
  };
  const result = await run({ apply: [A], prune: [] });
  assert.equal(result.result, 'rolled-back', result.message);
  assert.match(result.message ?? '', /Plugin a is .*not writing it/);
  assert.deepEqual((fake.read(fsmObjectPath(A))!['metadata'] as JsonObject)['labels'], { team: 'someone-else' });
});

test('an update whose object changed meanwhile but is still ours is judged again and written', async () => {
  fake.seed(fsmObjectPath(A), plugin('a', 1));
  let bumped = false;
  fake.fault = (request) => {
    if (!bumped && request.method === 'PATCH' && request.query?.['dryRun'] === undefined) {
      bumped = true; // a controller updates it (still ours) just before our write: our precondition fails once
      const current = fake.read(fsmObjectPath(A))!;
      delete (current['metadata'] as JsonObject)['resourceVersion'];
      fake.seed(fsmObjectPath(A), { ...current, status: { ready: true } });
    }
    return 'pass';
  };
  const result = await run({ apply: [plugin('a', 7)], prune: [] });
  assert.equal(result.result, 'applied', result.message);
  assert.equal((fake.read(fsmObjectPath(A))!['spec'] as JsonObject)['priority'], 7);
});

test('a rollback that cannot undo many steps names three in the message and lists every one in notUndone', async () => {
  const plugins = Array.from({ length: 6 }, (_, i) => plugin(`p${i}`));
  const last = plugin('zz-refused');
  // The last create is refused; every rollback DELETE fails (the server refuses them).
  fake.fault = (r) => (r.method === 'PATCH' && r.path.endsWith('/zz-refused') ? apiError(422, r.what, 'Invalid') : r.method === 'DELETE' ? apiError(403, r.what, 'Forbidden') : 'pass');
  const result = await run({ apply: [...plugins, last], prune: [] }, { concurrency: 1 });
  assert.equal(result.result, 'failed');
  assert.equal(result.notUndone.length, 6);
  const message = result.message ?? '';
  assert.match(message, /Rollback incomplete, the cluster needs attention: [^;]+; [^;]+; [^;]+; and 3 more$/);
  assert.ok(message.length < 1_000, message);
});
