import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import type { JsonObject } from '../../src/core/json.ts';
import { HISTORY_MAX_BYTES, MAX_CHANGES_PER_RECORD, readHistory, recordApply, recordTime, UNREADABLE_KEY, type ApplyRecord } from '../../src/apply/history.ts';
import { PendingHistory, type HistoryTarget } from '../../src/apply/pending-history.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { apiError, FakeKube, clientFor } from '../support/fake-kube.ts';

const HISTORY = '/api/v1/namespaces/fsm-system/configmaps/fsm-gitops-history-staging';
const CONFIG_MAPS = '/api/v1/namespaces/fsm-system/configmaps';
const TARGET: HistoryTarget = { server: 'https://fake.test', namespace: 'fsm-system', environment: 'staging' };

const record = (commit: string, extra: Partial<ApplyRecord> = {}): ApplyRecord => ({ commit, time: `2026-12-01T05:00:${commit.padStart(2, '0').slice(-2)}Z`, actor: 'alice@laptop', result: 'applied', changes: [`update Plugin ${commit}`], ...extra });

let fake: FakeKube;
let stateDir: string;
beforeEach(() => {
  fake = new FakeKube();
  stateDir = mkdtempSync(join(tmpdir(), 'fsm-gitops-pending-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

function storedText(): string {
  const data = fake.read(HISTORY)?.['data'] as JsonObject | undefined;
  return String(data?.['history.json'] ?? '[]');
}

test('a record of 1,500 changes stores the first 100 and the count; a long message is cut', async () => {
  const changes = Array.from({ length: 1_500 }, (_, i) => `update Plugin p${i}`);
  const entry = await recordApply(fake, 'fsm-system', 'staging', record('1', { changes, message: 'x'.repeat(50_000) }));
  assert.equal(entry.changes.length, MAX_CHANGES_PER_RECORD);
  const [stored] = await readHistory(fake, 'fsm-system', 'staging');
  assert.deepEqual(stored?.changes, changes.slice(0, 100));
  assert.equal(stored?.changeCount, 1_500);
  assert.equal(stored?.message?.length, 2_001);
  assert.ok(stored?.message?.endsWith('…'));
  assert.equal(stored?.id, entry.id);
});

test('a record of 100 changes or fewer has no changeCount', async () => {
  await recordApply(fake, 'fsm-system', 'staging', record('1', { changes: Array.from({ length: 100 }, (_, i) => `c${i}`) }));
  const [stored] = await readHistory(fake, 'fsm-system', 'staging');
  assert.equal(stored?.changes.length, 100);
  assert.equal('changeCount' in stored!, false);
});

test('20 records with the largest changes and messages stay under HISTORY_MAX_BYTES, the newest kept, the oldest dropped', async () => {
  const entries: ApplyRecord[] = [];
  for (let i = 0; i < 20; i++) {
    const changes = Array.from({ length: 400 }, (_, j) => `update PluginConfig bookinfo/${String(i).padStart(2, '0')}-${j}-${'n'.repeat(300)}`);
    entries.push(await recordApply(fake, 'fsm-system', 'staging', record(String(i), { changes, message: `${i} ${'m'.repeat(10_000)}` })));
  }
  const text = storedText();
  assert.ok(Buffer.byteLength(text) <= HISTORY_MAX_BYTES, `${Buffer.byteLength(text)} bytes`);
  const kept = JSON.parse(text) as ApplyRecord[];
  assert.ok(kept.length >= 1 && kept.length < 20, `${kept.length} kept`);
  const newest = [...entries].reverse();
  assert.deepEqual(kept.map((r) => r.id), newest.slice(0, kept.length).map((r) => r.id), 'the newest, newest first');
  const oneMore = JSON.stringify([...kept, newest[kept.length]], null, 1);
  assert.ok(Buffer.byteLength(oneMore) > HISTORY_MAX_BYTES, 'as many as fit');
});

test('a history write answered 500 after it went through is found by its id: recorded once', async () => {
  fake.seed(HISTORY, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fsm-gitops-history-staging', namespace: 'fsm-system' }, data: { 'history.json': JSON.stringify([record('1')]) } });
  let first = true;
  fake.fault = (r) => (r.method === 'PUT' && first ? ((first = false), 'lost-answer') : 'pass');
  const entry = await recordApply(fake, 'fsm-system', 'staging', record('2'));
  const stored = await readHistory(fake, 'fsm-system', 'staging');
  assert.deepEqual(stored.map((r) => r.commit), ['2', '1']);
  assert.equal(stored[0]?.id, entry.id);
  assert.equal(fake.writes.length, 1, 'not written twice');
});

test('a history create answered 500 after it went through is found by its id on the next read', async () => {
  let first = true;
  fake.fault = (r) => (r.method === 'POST' && first ? ((first = false), 'lost-answer') : 'pass');
  await recordApply(fake, 'fsm-system', 'staging', record('1'));
  assert.equal((await readHistory(fake, 'fsm-system', 'staging')).length, 1);
  assert.deepEqual(fake.writes.map((w) => w.method), ['POST']);
});

test('a history write refused (403) is thrown at once, not retried', async () => {
  fake.fault = (r) => (r.method === 'POST' ? apiError(403, r.what, 'Forbidden') : 'pass');
  await assert.rejects(recordApply(fake, 'fsm-system', 'staging', record('1')), (e: unknown) => e instanceof KubeApiError && e.status === 403);
  assert.equal(fake.writes.length, 1);
});

// Through a real KubeClient: its retry meets the 409 (the version moved: our own write).
const SERVER = 'https://kube.test:6443';
const client = clientFor(SERVER, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

test('a history PUT answered 500, then 409 on the client\'s retry: the re-read has our id, so it is done, one record', async () => {
  interface Body { metadata: { resourceVersion?: string }; data: { 'history.json': string } }
  const sent: Body[] = [];
  const existing = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fsm-gitops-history-staging', resourceVersion: '1' }, data: { 'history.json': JSON.stringify([record('1')]) } };
  nock(SERVER)
    .get(HISTORY).reply(200, existing)
    .put(HISTORY, (body: Body) => (sent.push(body), true)).reply(500, { kind: 'Status', message: 'etcdserver: request timed out' })
    .put(HISTORY, (body: Body) => (sent.push(body), true)).reply(409, { kind: 'Status', reason: 'Conflict', message: 'the object has been modified' })
    .get(HISTORY).reply(200, () => ({ ...existing, metadata: { ...existing.metadata, resourceVersion: '2' }, data: sent[0]!.data }));
  const entry = await recordApply(client, 'fsm-system', 'staging', record('2'));
  assert.ok(nock.isDone(), 'read, PUT twice, read: no third write');
  assert.equal(sent[0]?.metadata.resourceVersion, '1');
  const stored = JSON.parse(sent[0]!.data['history.json']) as ApplyRecord[];
  assert.deepEqual(stored.map((r) => r.commit), ['2', '1']);
  assert.equal(stored[0]?.id, entry.id);
});

test('PendingHistory keeps records per target, oldest first, one per id', () => {
  const pending = new PendingHistory(stateDir);
  const one = { ...record('1'), id: 'id-1' };
  const two = { ...record('2'), id: 'id-2' };
  const file = pending.keep(TARGET, one);
  assert.equal(pending.keep(TARGET, two), file);
  assert.ok(file.startsWith(join(stateDir, 'pending-history')));
  pending.keep(TARGET, { ...one, message: 'kept again' });
  assert.deepEqual(pending.load(TARGET).map((r) => r.id), ['id-2', 'id-1']);
  assert.deepEqual(pending.load({ ...TARGET, server: 'https://other.test' }), [], 'another cluster\'s environment of the same name');
});

test('flush writes the kept records oldest first, then removes the file', async () => {
  const pending = new PendingHistory(stateDir);
  pending.keep(TARGET, { ...record('1'), id: 'id-1' });
  const file = pending.keep(TARGET, { ...record('2'), id: 'id-2' });
  assert.equal(await pending.flush(fake, TARGET), 2);
  const written = fake.writes.map((w) => (JSON.parse(((w.body as JsonObject)['data'] as JsonObject)['history.json'] as string) as ApplyRecord[]).map((r) => r.id));
  assert.deepEqual(written, [['id-1'], ['id-2', 'id-1']]);
  assert.equal(existsSync(file), false);
  assert.deepEqual(pending.load(TARGET), []);
  assert.equal(await pending.flush(fake, TARGET), 0);
  assert.equal(fake.writes.length, 2, 'nothing more to write');
});

test('a flush the cluster refuses keeps the file; the next flush writes each record once', async () => {
  const pending = new PendingHistory(stateDir);
  pending.keep(TARGET, { ...record('1'), id: 'id-1' });
  const file = pending.keep(TARGET, { ...record('2'), id: 'id-2' });
  fake.fault = (r) => (r.method === 'PUT' ? apiError(403, r.what, 'Forbidden') : 'pass'); // the first (a create) goes through
  await assert.rejects(pending.flush(fake, TARGET), KubeApiError);
  assert.ok(existsSync(file));
  assert.deepEqual(pending.load(TARGET).map((r) => r.id), ['id-1', 'id-2']);
  fake.fault = () => 'pass';
  assert.equal(await pending.flush(fake, TARGET), 2);
  assert.deepEqual((await readHistory(fake, 'fsm-system', 'staging')).map((r) => r.id), ['id-2', 'id-1']);
  assert.equal(existsSync(file), false);
  assert.ok(fake.writes.every((w) => w.path === CONFIG_MAPS || w.path === HISTORY));
});

test('entries that are not records (a history edited or corrupted by hand) are left out, and writing goes on', async () => {
  fake.seed(HISTORY, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fsm-gitops-history-staging' }, data: { 'history.json': JSON.stringify([null, { commit: 'x' }, 'text', record('1'), { ...record('2'), time: 5 }]) } });
  assert.deepEqual((await readHistory(fake, 'fsm-system', 'staging')).map((r) => r.commit), ['1']);
  await recordApply(fake, 'fsm-system', 'staging', record('3'));
  assert.deepEqual((await readHistory(fake, 'fsm-system', 'staging')).map((r) => r.commit), ['3', '1']);
});

test('a history that is not JSON any more is not lost: kept under history.unreadable.json, with a warning; a readable one gets no copy', async () => {
  fake.seed(HISTORY, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fsm-gitops-history-staging' }, data: { 'history.json': '[{"commit": "a", cut here' } });
  const warnings: string[] = [];
  await recordApply(fake, 'fsm-system', 'staging', record('3'), { warn: (w) => warnings.push(w) });
  const data = fake.read(HISTORY)?.['data'] as JsonObject;
  assert.equal(data[UNREADABLE_KEY], '[{"commit": "a", cut here');
  assert.deepEqual((await readHistory(fake, 'fsm-system', 'staging')).map((r) => r.commit), ['3']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /held entries that are not apply records; a new history starts, and what was there is kept under the key history\.unreadable\.json/);
  await recordApply(fake, 'fsm-system', 'staging', record('4'), { warn: (w) => warnings.push(w) });
  assert.equal(warnings.length, 1, 'the history is readable again');
  assert.equal((fake.read(HISTORY)?.['data'] as JsonObject)[UNREADABLE_KEY], '[{"commit": "a", cut here', 'the copy stays');
});

test('a pending-history file with entries that are not records yields only the records', async () => {
  const pending = new PendingHistory(stateDir);
  const file = pending.keep(TARGET, record('1', { id: 'one' }));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify({ target: TARGET, records: [{ commit: 'x' }, null, record('1', { id: 'one' })] }));
  assert.deepEqual(pending.load(TARGET).map((r) => r.id), ['one']);
});

test('an apply that lost its Lease is recorded at the time it took it: below the apply that took it over and recorded before it; one that kept it, when it ended, whatever another clock said', async () => {
  const tookLease = new Date('2026-12-01T05:00:10Z');
  const ended = new Date('2026-12-01T05:00:40Z');
  // A took the Lease at :10 and lost it; B took it over, applied and recorded at :30; A records its failure at :40.
  await recordApply(fake, 'fsm-system', 'staging', record('30', { commit: 'b' }));
  await recordApply(fake, 'fsm-system', 'staging', record('40', { commit: 'a', result: 'failed', time: recordTime(tookLease, { leaseLost: true }, ended) }));
  assert.deepEqual((await readHistory(fake, 'fsm-system', 'staging')).map((r) => [r.commit, r.result, r.time]), [
    ['b', 'applied', '2026-12-01T05:00:30Z'],
    ['a', 'failed', '2026-12-01T05:00:10.000Z'],
  ]);
  // C kept its Lease, taken at :50.5: its record is dated when it ended (:52.5), above a record that another machine,
  // its clock 2 s ahead, dated :52 though it was written before C took the Lease.
  await recordApply(fake, 'fsm-system', 'staging', record('52', { commit: 'skewed' }));
  await recordApply(fake, 'fsm-system', 'staging', record('x', { commit: 'c', time: recordTime(new Date('2026-12-01T05:00:50.500Z'), {}, new Date('2026-12-01T05:00:52.500Z')) }));
  assert.equal((await readHistory(fake, 'fsm-system', 'staging'))[0]?.commit, 'c');
});
