/**
 * What prune deletes (src/plan/prune.ts): the objects fsm-gitops created for the environment that its files no
 * longer name, and nothing while a manifest file cannot be read. The example staging cluster holds two such objects
 * (Plugin legacy-logger, PluginChain bookinfo/legacy-logger-chain) that the files below do not name.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { applySet } from '../../src/plan/apply-set.ts';
import { planEnvironment } from '../../src/plan/plan.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { exampleLiveState, planFiles, withCode } from '../support/plan-fixture.ts';

const CORS = `apiVersion: plugin.flomesh.io/v1alpha1
kind: Plugin
metadata:
  name: cors-policy
spec:
  priority: 100
  pipyscript: |
    pipy().pipeline().dummy()
`;
const LEGACY = ['Plugin legacy-logger', 'PluginChain bookinfo/legacy-logger-chain'];
const deleted = (plan: EnvironmentPlan): string[] => plan.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`);

test('objects no file names any more are pruned, without a warning', async () => {
  const plan = await planFiles({ 'cors.yaml': CORS });
  assert.deepEqual(deleted(plan).sort(), LEGACY);
  assert.deepEqual(withCode(plan.findings, 'prune-withheld'), []);
});

test('a file with a YAML syntax error withholds every delete, and the warning names what prune would have deleted', async () => {
  const plan = await planFiles({ 'cors.yaml': CORS, 'legacy.yaml': 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata:\n  name: legacy-logger\n  bad: [1\n' });
  assert.deepEqual(deleted(plan), []);
  const [warning, ...more] = withCode(plan.findings, 'prune-withheld');
  assert.equal(more.length, 0);
  assert.equal(warning!.severity, 'warning');
  assert.equal(warning!.file, 'clusters/staging/legacy.yaml');
  assert.match(warning!.message, /prune is not planned while clusters\/staging\/legacy\.yaml cannot be read/);
  assert.match(warning!.message, /2 objects .* \(Plugin legacy-logger, PluginChain bookinfo\/legacy-logger-chain\)/);
  // The objects that can be read are still planned.
  assert.ok(plan.changes.some((c) => c.name === 'cors-policy' && c.action === 'create'));
});

test('a document that is not a manifest (no name, no kind, not a mapping) withholds prune too', async () => {
  for (const document of ['apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata: {}\n', 'metadata:\n  name: legacy-logger\n', '- just a list\n', 'apiVersion: v1\nkind: Plugin\nmetadata:\n  name: 7\n']) {
    const plan = await planFiles({ 'cors.yaml': `${CORS}---\n${document}` });
    assert.deepEqual(deleted(plan), [], document);
    assert.equal(withCode(plan.findings, 'prune-withheld').length, 1, document);
  }
});

test('an object a manifest still names is not pruned even where a rule refuses the manifest', async () => {
  // The environment no longer allows bookinfo: the chain's manifest is an error, not a wish to delete the chain.
  const chain = 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: PluginChain\nmetadata:\n  name: legacy-logger-chain\n  namespace: bookinfo\nspec:\n  chains: []\n  selectors: {}\n';
  const config = 'environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    namespaces: [payments]\n';
  const plan = await planFiles({ 'cors.yaml': CORS, 'chain.yaml': chain }, { config });
  assert.ok(withCode(plan.findings, 'namespace-not-allowed').some((f) => f.file === 'clusters/staging/chain.yaml'));
  assert.deepEqual(deleted(plan), ['Plugin legacy-logger']);
  assert.deepEqual(withCode(plan.findings, 'prune-withheld'), []);
});

test('no warning when nothing would have been pruned, or prune is off', async () => {
  const broken = { 'cors.yaml': 'a: [1\n' };
  const live = exampleLiveState();
  live.pluginObjects = live.pluginObjects.filter((o) => o.metadata.name !== 'legacy-logger' && o.metadata.name !== 'legacy-logger-chain');
  assert.deepEqual(withCode((await planFiles(broken, { live })).findings, 'prune-withheld'), []);
  const off = 'environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    prune: false\n';
  assert.deepEqual(withCode((await planFiles(broken, { config: off })).findings, 'prune-withheld'), []);
});

test('a symbolic link in the environment withholds prune: what is behind it is never read', async () => {
  const base = mkdtempSync(join(tmpdir(), 'fsm-prune-link-'));
  try {
    mkdirSync(join(base, 'repo/.github'), { recursive: true });
    mkdirSync(join(base, 'repo/clusters/staging'), { recursive: true });
    writeFileSync(join(base, 'repo/.github/fsm-gitops.yml'), 'environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n');
    writeFileSync(join(base, 'repo/clusters/staging/cors.yaml'), CORS);
    writeFileSync(join(base, 'shared.yaml'), CORS.replace('cors-policy', 'legacy-logger'));
    symlinkSync(join(base, 'shared.yaml'), join(base, 'repo/clusters/staging/legacy.yaml'));
    const repo = new FolderRepo(join(base, 'repo'));
    const config = parseRepoConfig('.github/fsm-gitops.yml', (await repo.read('.github/fsm-gitops.yml'))!);
    const desired = await loadEnvironment(repo, config.environments[0]!);
    assert.deepEqual(desired.unread, ['clusters/staging/legacy.yaml']);
    const live = exampleLiveState();
    const plan = planEnvironment(desired, live);
    assert.deepEqual(deleted(plan), []);
    assert.equal(withCode(plan.findings, 'prune-withheld')[0]?.file, 'clusters/staging/legacy.yaml');
    // What apply would send agrees with the plan: no delete.
    assert.deepEqual(applySet(desired, live).prune, []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
