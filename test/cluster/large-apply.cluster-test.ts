/**
 * A 1,500-object apply on a real API server is recorded: the history ConfigMap stays far below the 1 MiB an
 * object may have, even with the 20 records it keeps all that large (issue 9, item 7).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dump } from 'js-yaml';
import { HISTORY_MAX_BYTES, historyName, MAX_CHANGES_PER_RECORD, readHistory } from '../../src/apply/history.ts';
import { CONFIG_MAPS, objectPath } from '../../src/kube/resource-paths.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';

const PLUGINS = 1_500;
let kubeconfig: string;
let client: KubeClient;

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
});
after(() => stopCluster(kubeconfig));

/** The example repository plus `count` Plugins whose priority is `priority`: every run changes all of them. */
async function repoWithPlugins(count: number, priority: number): Promise<{ repo: string; cleanup(): Promise<void> }> {
  const copy = await copyExampleRepo();
  const plugins = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    kind: 'Plugin',
    metadata: { name: `bulk-${String(i).padStart(4, '0')}` },
    spec: { priority, pipyscript: `pipy().pipeline().handleMessageStart(msg => msg.head.headers['x-bulk'] = '${i}')\n` },
  }));
  await writeFile(join(copy.repo, 'clusters/staging/plugins/bulk.yaml'), plugins.map((p) => dump(p)).join('---\n'));
  return copy;
}

test(`an apply of ${PLUGINS} objects is recorded, and so are the next ones, within the history's bound`, { timeout: 20 * 60_000 }, async () => {
  for (const [run, priority] of [[1, 100], [2, 101]] as const) {
    const { repo, cleanup } = await repoWithPlugins(PLUGINS, priority);
    try {
      const result = await cli(['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', `bulk-${run}`, '--timeout', '1200']);
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      assert.match(result.stdout, new RegExp(`Applied ${run === 1 ? PLUGINS + 6 : PLUGINS} changes to staging`));
    } finally {
      await cleanup();
    }
  }
  const history = await readHistory(client, 'fsm-system', 'staging');
  assert.deepEqual(history.map((r) => [r.commit, r.result]), [['bulk-2', 'applied'], ['bulk-1', 'applied']]);
  assert.equal(history[0]!.changes.length, MAX_CHANGES_PER_RECORD);
  assert.equal(history[0]!.changeCount, PLUGINS);
  assert.equal(history[1]!.changeCount, PLUGINS + 6);
  const configMap = await client.get(objectPath(CONFIG_MAPS, 'fsm-system', historyName('staging')), 'read history');
  const size = Buffer.byteLength(JSON.stringify(configMap));
  assert.ok(size < HISTORY_MAX_BYTES / 8, `two records of ${PLUGINS} changes take ${size} bytes`);
});
