import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { clusterLiveState } from '../../src/cli/live-state-choice.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import type { RepoFiles } from '../../src/desired/repo-files.ts';
import { LiveStateError } from '../../src/live/live-state.ts';
import { UsageError } from '../../src/workflow/usage-error.ts';
import { writeKubeconfig } from '../support/cli.ts';
import { StallingKubeServer } from '../support/stalling-kube-server.ts';

/** An API server that refuses every request (403) and records them. */
async function refusingServer(t: TestContext): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(403, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden by the test' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
}

const MESH = { name: 'fsm', namespace: 'fsm-system' };

test('the first environment\'s live read is sent before planRepository asks for it, which then gets that read and its context line', async (t) => {
  const { url, seen } = await refusingServer(t);
  const kubeconfig = await writeKubeconfig(t, { server: url, cluster: 'staging', context: 'staging', insecure: true });
  const said: string[] = [];
  const live = await clusterLiveState({ repo: new FolderRepo('examples/gitops'), environments: ['staging'], kubeconfig, contexts: [], say: (line) => said.push(line) });
  t.after(() => live.close());
  await until(() => seen.length > 0);
  assert.ok(seen.length > 0, 'a request before the live state is asked for');
  assert.deepEqual(said, [], 'the context line waits for planRepository');
  const reader = live.liveStateFor({ name: 'staging', cluster: 'staging', mesh: MESH } as Parameters<typeof live.liveStateFor>[0]);
  assert.deepEqual(said, [`staging: kubeconfig context "staging" (named after cluster "staging"), server ${url}`]);
  await assert.rejects(reader.read(MESH), (error: Error) => error instanceof LiveStateError && /forbidden by the test/.test(error.message));
  assert.equal(seen.filter((line) => line === seen[0]).length, 1, `the read started is the one used, not sent again: ${seen.join(', ')}`);
});

test('no request is sent ahead for a config the schema refuses, nor for an environment the config lacks', async (t) => {
  const { url, seen } = await refusingServer(t);
  const kubeconfig = await writeKubeconfig(t, { server: url, cluster: 'staging', context: 'staging', insecure: true });
  const invalid: RepoFiles = { list: async () => [], read: async (path) => (path === '.github/fsm-gitops.yml' ? new TextEncoder().encode('environments:\n  staging: { path: a, cluster: "sta\\u001bging" }\n') : undefined) };
  for (const [repo, environments] of [[invalid, []], [new FolderRepo('examples/gitops'), ['staging', 'nowhere']]] as const) {
    const live = await clusterLiveState({ repo, environments, kubeconfig, contexts: [], say: undefined });
    await sleep(200);
    live.close();
  }
  assert.deepEqual(seen, []);
});

test('a context that does not fit the first environment is refused when planRepository asks for it, as without the head start', async (t) => {
  const { url, seen } = await refusingServer(t);
  const kubeconfig = await writeKubeconfig(t, { server: url, cluster: 'elsewhere', context: 'elsewhere', insecure: true });
  const live = await clusterLiveState({ repo: new FolderRepo('examples/gitops'), environments: ['staging'], kubeconfig, contexts: [], say: undefined });
  t.after(() => live.close());
  assert.throws(() => live.liveStateFor({ name: 'staging', cluster: 'staging', mesh: MESH } as Parameters<typeof live.liveStateFor>[0]), (error: Error) => error instanceof UsageError && /environment staging deploys to cluster "staging"/.test(error.message));
  assert.deepEqual(seen, []);
});

test('the read started ahead stops with the signal of the read that takes it, and at close() when none took it: no retry, no connection left', { timeout: 20_000 }, async (t) => {
  for (const taken of [true, false]) {
    const server = await StallingKubeServer.start({ kind: 'hang' });
    t.after(() => server.stop());
    const kubeconfig = await writeKubeconfig(t, { server: server.url, cluster: 'staging', context: 'staging', insecure: true });
    const live = await clusterLiveState({ repo: new FolderRepo('examples/gitops'), environments: ['staging'], kubeconfig, contexts: [], say: undefined });
    await server.reached;
    if (taken) {
      const controller = new AbortController();
      const read = live.liveStateFor({ name: 'staging', cluster: 'staging', mesh: MESH } as Parameters<typeof live.liveStateFor>[0]).read(MESH, controller.signal);
      controller.abort();
      await assert.rejects(read, { name: 'AbortError' });
    }
    live.close();
    assert.deepEqual(await server.repeatedOnceQuiet(), [], `no request sent again after the stop (taken: ${taken})`);
    assert.equal(server.openSockets, 0);
  }
});
