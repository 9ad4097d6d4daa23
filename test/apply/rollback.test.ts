import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { LeaseLostError } from '../../src/apply/lease-renewal.ts';
import { restoreConfig } from '../../src/apply/restore-config.ts';
import { rollBack, type Step } from '../../src/apply/rollback.ts';
import { fsmObjectPath } from '../../src/kube/fsm-objects.ts';
import { APPLY_PATCH } from '../../src/kube/yaml-safe-json.ts';
import { apiError, FakeKube } from '../support/fake-kube.ts';

/** What a rollback could not undo. */
const problemsOf = async (...args: Parameters<typeof rollBack>): Promise<string[]> => (await rollBack(...args)).problems;

const COMMIT = 'c0ffee';
const LABELS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };

function plugin(name: string, priority: number, commit = 'before'): KubeObject {
  return {
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    kind: 'Plugin',
    metadata: { name, labels: { ...LABELS }, annotations: { 'fsm-gitops.io/commit': commit } },
    spec: { priority, pipyscript: `// ${name}` },
  };
}

const versionOf = (object: JsonObject | undefined): string => String((object?.['metadata'] as JsonObject | undefined)?.['resourceVersion']);

let fake: FakeKube;
beforeEach(() => {
  fake = new FakeKube();
});

/** Seeds `before`, then "our write" of `applied` over it: returns the step as the executor records it. */
function updated(name: string): { step: Step; before: KubeObject; applied: KubeObject; path: string } {
  const applied = plugin(name, 200, COMMIT);
  const path = fsmObjectPath(applied);
  const before = fake.seed(path, plugin(name, 100)) as KubeObject;
  const stored = fake.seed(path, applied); // our write: a new version
  return { step: { action: 'update', object: applied, before, after: versionOf(stored) }, before, applied, path };
}

test('an object someone else changed after our write is left as it is, and named with its last writer', async () => {
  const { step, path } = updated('cors');
  const theirs = fake.read(path)!;
  delete (theirs['metadata'] as JsonObject)['resourceVersion'];
  (theirs['spec'] as JsonObject)['priority'] = 300;
  (theirs['metadata'] as JsonObject)['managedFields'] = [
    { manager: 'fsm-gitops', operation: 'Apply', time: '2026-12-01T04:47:36Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:priority': {} } } },
    { manager: 'kubectl-edit', operation: 'Update', time: '2026-12-01T04:48:10Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:priority': {} } } },
  ];
  fake.seed(path, theirs);
  const problems = await problemsOf(fake, [step], { commit: COMMIT });
  assert.deepEqual(problems, ['update Plugin cors: changed by someone else after this apply (last by kubectl-edit): left as it is']);
  assert.deepEqual(fake.writes, []);
  assert.equal((fake.read(path)!['spec'] as JsonObject)['priority'], 300);
});

test('an update is restored by server-side apply as fsm-gitops, conditional on the version our write left', async () => {
  const { step, before, applied, path } = updated('cors');
  assert.deepEqual(await problemsOf(fake, [step], { commit: COMMIT }), []);
  assert.equal(fake.writes.length, 1);
  const [patch] = fake.writes;
  assert.equal(patch!.method, 'PATCH');
  assert.equal(patch!.path, path);
  assert.equal(patch!.contentType, APPLY_PATCH);
  assert.deepEqual(patch!.query, { fieldManager: 'fsm-gitops', force: 'true' });
  const expected = restoreConfig(before, applied);
  expected.metadata['resourceVersion'] = step.after!;
  assert.deepEqual(patch!.body, expected);
  assert.equal((fake.read(path)!['spec'] as JsonObject)['priority'], 100);
});

test('an uncertain update (answer lost) is undone only when the object carries this apply\'s commit', async () => {
  const notWritten = updated('cors');
  fake.seed(notWritten.path, plugin('cors', 100)); // our write never happened
  const problems = await problemsOf(fake, [{ ...notWritten.step, after: undefined, uncertain: true }], { commit: COMMIT });
  assert.deepEqual(problems, []);
  assert.equal(fake.writes.length, 0);

  const written = updated('auth');
  const current = versionOf(fake.read(written.path));
  assert.deepEqual(await problemsOf(fake, [{ ...written.step, after: undefined, uncertain: true }], { commit: COMMIT }), []);
  assert.equal(fake.writes.length, 1);
  assert.equal(fake.writes[0]!.method, 'PATCH');
  assert.equal((fake.writes[0]!.body as KubeObject).metadata['resourceVersion'], current);
});

test('a create is undone by a delete conditional on the version our write left', async () => {
  const created = plugin('cors', 200, COMMIT);
  const path = fsmObjectPath(created);
  const stored = fake.seed(path, created);
  assert.deepEqual(await problemsOf(fake, [{ action: 'create', object: created, before: undefined, after: versionOf(stored) }], { commit: COMMIT }), []);
  assert.equal(fake.writes.length, 1);
  assert.equal(fake.writes[0]!.method, 'DELETE');
  assert.deepEqual((fake.writes[0]!.body as JsonObject)['preconditions'], { resourceVersion: versionOf(stored) });
  assert.equal(fake.read(path), undefined);
});

test('an uncertain create is deleted when the object carries this apply\'s commit, and left when it does not', async () => {
  const ours = plugin('cors', 200, COMMIT);
  fake.seed(fsmObjectPath(ours), ours);
  const theirs = plugin('auth', 200, 'someone-elses');
  fake.seed(fsmObjectPath(theirs), theirs);
  const steps: Step[] = [
    { action: 'create', object: plugin('cors', 200, COMMIT), before: undefined, after: undefined, uncertain: true },
    { action: 'create', object: plugin('auth', 200, COMMIT), before: undefined, after: undefined, uncertain: true },
  ];
  assert.deepEqual(await problemsOf(fake, steps, { commit: COMMIT }), []);
  assert.deepEqual(fake.writes.map((w) => `${w.method} ${w.path}`), [`DELETE ${fsmObjectPath(ours)}`]);
  assert.ok(fake.read(fsmObjectPath(theirs)));
});

test('a restore answered 409 is settled by reading: restored means no problem', async () => {
  const { step, before, path } = updated('cors');
  let first = true;
  fake.fault = (request) => {
    if (request.method !== 'PATCH' || !first) return 'pass';
    first = false;
    // Our restore went through (its answer was lost); the client's retry then met the new version.
    const restored = structuredClone(before);
    delete restored.metadata['resourceVersion'];
    fake.seed(path, restored);
    return apiError(409, request.what, 'Conflict');
  };
  assert.deepEqual(await problemsOf(fake, [step], { commit: COMMIT }), []);
});

test('a restore answered 409 because someone else wrote meanwhile is named, not retried over them', async () => {
  const { step, path } = updated('cors');
  fake.fault = (request) => {
    if (request.method !== 'PATCH') return 'pass';
    const theirs = plugin('cors', 999, 'theirs');
    fake.seed(path, theirs);
    return apiError(409, request.what, 'Conflict');
  };
  assert.deepEqual(await problemsOf(fake, [step], { commit: COMMIT }), ['update Plugin cors: changed by someone else while being restored: left as it is']);
  assert.equal(fake.writes.length, 1);
  assert.equal((fake.read(path)!['spec'] as JsonObject)['priority'], 999);
});

test('a deleted object is created again as it was, without its server fields; one deleted after our update is named', async () => {
  const pruned: KubeObject = { ...plugin('old', 5), status: { ready: true } };
  Object.assign(pruned.metadata, { uid: 'u-1', resourceVersion: '5', generation: 1, creationTimestamp: '2026-12-01T04:40:02Z', managedFields: [] });
  const { step: update } = updated('cors');
  fake.objects.delete(fsmObjectPath(plugin('cors', 0))); // someone deleted what we updated
  const problems = await problemsOf(fake, [update, { action: 'delete', object: pruned, before: pruned, after: undefined }], { commit: COMMIT });
  assert.deepEqual(problems, ['update Plugin cors: deleted by someone else after this apply: not put back']);
  assert.equal(fake.writes.length, 1);
  const [post] = fake.writes;
  assert.equal(post!.method, 'POST');
  assert.equal(post!.path, '/apis/plugin.flomesh.io/v1alpha1/plugins');
  assert.deepEqual(post!.query, { fieldManager: 'fsm-gitops' });
  assert.deepEqual(post!.body, plugin('old', 5));
});

test('a pruned object its finalizer still holds is not "put back" (it goes once the finalizer is removed): named, nothing written', async () => {
  const pruned = plugin('held', 5);
  const terminating = structuredClone(pruned);
  Object.assign(terminating.metadata, { deletionTimestamp: '2026-12-03T09:55:06Z', finalizers: ['example.com/hold'] });
  fake.seed(fsmObjectPath(pruned), terminating);
  const problems = await problemsOf(fake, [{ action: 'delete', object: pruned, before: pruned, after: undefined }], { commit: COMMIT });
  assert.deepEqual(problems, ['delete Plugin held: being deleted since 2026-12-03T09:55:06Z; finalizers example.com/hold hold it: it cannot be put back until it is gone; apply the earlier commit again then']);
  assert.deepEqual(fake.writes, []);
});

test('steps are undone newest first, every write passing the guard', async () => {
  const created = plugin('new', 1, COMMIT);
  const createdStep: Step = { action: 'create', object: created, before: undefined, after: versionOf(fake.seed(fsmObjectPath(created), created)) };
  const { step: updateStep } = updated('cors');
  const gone = plugin('old', 5);
  const deleteStep: Step = { action: 'delete', object: gone, before: gone, after: undefined };
  const guard = (): void => {};
  assert.deepEqual(await problemsOf(fake, [createdStep, updateStep, deleteStep], { commit: COMMIT, guard }), []);
  assert.deepEqual(fake.writes.map((w) => w.method), ['POST', 'PATCH', 'DELETE']);
  assert.ok(fake.writes.every((w) => w.guard === guard), 'each write carries the guard');
  assert.equal(fake.guardCalls, 3);
});

test('a lost Lease stops the rollback at once: nothing sent, each step named as not undone', async () => {
  const created = plugin('new', 1, COMMIT);
  const createdStep: Step = { action: 'create', object: created, before: undefined, after: versionOf(fake.seed(fsmObjectPath(created), created)) };
  const { step: updateStep } = updated('cors');
  const gone = plugin('old', 5);
  const deleteStep: Step = { action: 'delete', object: gone, before: gone, after: undefined };
  const lost = (): void => {
    throw new LeaseLostError('fsm-gitops-staging', 'taken over by bob@ci');
  };
  const { problems, lostLease } = await rollBack(fake, [createdStep, updateStep, deleteStep], { commit: COMMIT, guard: lost });
  assert.match(lostLease?.message ?? '', /lost the apply lock \(Lease fsm-gitops-staging\): taken over by bob@ci/);
  assert.deepEqual(problems, [
    'delete Plugin old: not undone, the apply lock was lost',
    'update Plugin cors: not undone, the apply lock was lost',
    'create Plugin new: not undone, the apply lock was lost',
  ]);
  assert.deepEqual(fake.writes, [], 'nothing sent');
  assert.ok(fake.read(fsmObjectPath(created)), 'the created object is still there');
});
