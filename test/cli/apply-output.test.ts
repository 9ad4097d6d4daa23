import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { cli, writeKubeconfig } from '../support/cli.ts';
import { servedExampleCluster } from '../support/example-kube.ts';

const SERVER = 'https://apply-output.test:6443';
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

test('apply --output FILE.json: the plan is shown, then written with how the apply ended', async (t) => {
  servedExampleCluster(SERVER);
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-apply-output-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  const file = join(dir, 'applied.json');
  const run = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '--commit', 'abc123', '--output', file]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /~ MeshConfig fsm-system\/fsm-mesh-config update/, 'the plan is still shown');
  assert.match(run.stderr, new RegExp(`The plan and the outcome are in ${file} \\(json\\)`));
  const written = JSON.parse(await readFile(file, 'utf8')) as { summary: { exitCode: number; exitMeaning: string; changes: Record<string, number> } };
  assert.deepEqual([written.summary.exitCode, written.summary.exitMeaning], [0, 'applied, or nothing to apply']);
  assert.equal(written.summary.changes['create'], 3);
  assert.deepEqual(await readdir(dir), ['applied.json']);
});
