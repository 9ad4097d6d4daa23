/**
 * `fsm-gitops apply`'s head start on a real API server, seen through loopback proxies (test/support/fault-proxy.ts)
 * that log every request in one order: the Lease's create goes first and the live read only once it is held; two
 * applies racing, the second waits for the first as before; a create whose answer is lost is recognised as ours.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { readHistory } from '../../src/apply/history.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { FaultProxy, type Fault, type SeenRequest } from '../support/fault-proxy.ts';
import { serves, startSeededCluster, stopCluster } from '../support/kube-test-cluster.ts';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;

let kubeconfig: string;
let client: KubeClient;
const proxies: FaultProxy[] = [];
/** Every request of every proxy, in the order they arrived: `<proxy index> METHOD path`. */
const log: string[] = [];

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  proxies.push(await FaultProxy.start(kubeconfig), await FaultProxy.start(kubeconfig));
});
after(async () => {
  for (const proxy of proxies) await proxy.close();
  stopCluster(kubeconfig);
});
beforeEach(() => {
  log.length = 0;
  proxies.forEach((proxy, index) => {
    proxy.seen.length = 0;
    proxy.fault = (request) => (log.push(`${index} ${request.method} ${request.url.split('?')[0]}`), 'pass');
  });
});

/** The example repository with the cors-policy Plugin's priority set to `priority`: each variant has a change to apply. */
async function repoVariant(priority: number, t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  const file = join(repo, 'clusters/staging/plugins/cors.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('priority: 165', `priority: ${priority}`));
  return repo;
}

const apply = (repo: string, proxy: number, actor: string) =>
  cli(['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', proxies[proxy]!.kubeconfig, ...serves('staging', 'proxy'), '--yes', '--commit', 'head5tart', '--actor', actor, '--lock-timeout', '60']);

const isLiveRead = (line: string): boolean => / GET /.test(line) && !line.includes('/leases') && !line.includes('fsm-gitops-history');

describe('apply\'s head start on a real API server', { concurrency: false }, () => {
  test('the Lease is created first, the live state read once it is held; applied, recorded, the Lease deleted', async (t) => {
    const run = await apply(await repoVariant(11, t), 0, 'alice');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Applied \d+ changes? to staging/);
    assert.equal(log[0], `0 POST ${LEASES}`, log.join('\n'));
    assert.ok(log.slice(1).some(isLiveRead));
    assert.equal(log.filter((line) => line.endsWith(`POST ${LEASES}`)).length, 1, 'one create');
    assert.equal(log.at(-1), `0 DELETE ${LEASE}`);
    assert.equal(await client.get(LEASE, 'read the Lease'), undefined);
    assert.equal((await readHistory(client, 'fsm-system', 'staging')).at(-1)?.actor, 'alice');
  });

  test('two applies racing: one takes the Lease and applies; the other waits as before, reads only once it holds the Lease, and finds nothing left', async (t) => {
    const repo = await repoVariant(12, t);
    const [a, b] = await Promise.all([apply(repo, 0, 'racer-a'), apply(repo, 1, 'racer-b')]);
    assert.deepEqual([a.code, b.code], [0, 0], `${a.stderr}\n---\n${b.stderr}`);
    const [winner, loser] = /Applied/.test(a.stdout) ? [0, 1] : [1, 0];
    const runs = [a, b];
    assert.match(runs[loser]!.stdout, /staging: nothing to apply/);
    assert.match(runs[loser]!.stderr, new RegExp(`staging: waiting for racer-${'ab'[winner]} \\(commit head5tart\\) to finish`));
    const released = log.indexOf(`${winner} DELETE ${LEASE}`);
    const loserReads = log.findIndex((line) => line.startsWith(`${loser} `) && isLiveRead(line));
    assert.ok(released > 0 && loserReads > released, `the waiting apply read nothing before the first released the Lease:\n${log.join('\n')}`);
    assert.equal(log.find((line) => line.startsWith(`${loser} `)), `${loser} POST ${LEASES}`, 'its create went first, ahead');
    assert.equal(await client.get(LEASE, 'read the Lease'), undefined);
  });

  test('the create sent ahead went through but answered 500: the apply recognises the Lease as its own and applies', async (t) => {
    let posts = 0;
    proxies[0]!.fault = (request: SeenRequest): Fault => {
      log.push(`0 ${request.method} ${request.url.split('?')[0]}`);
      return request.method === 'POST' && request.url.startsWith(LEASES) && ++posts === 1 ? '500-after' : 'pass';
    };
    const run = await apply(await repoVariant(13, t), 0, 'carol');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /waiting for/);
    assert.deepEqual(log.slice(0, 3), [`0 POST ${LEASES}`, `0 POST ${LEASES}`, `0 GET ${LEASE}`], 'sent again (409), read: our token');
    assert.ok(log.findIndex(isLiveRead) > 2, 'nothing read before the Lease was known to be ours');
    assert.equal(await client.get(LEASE, 'read the Lease'), undefined);
  });
});
