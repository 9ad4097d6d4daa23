/**
 * planAgainst builds the plan's context once (src/plan/context.ts) and hands it to both applySet and
 * planEnvironment: each must work from the context it is given, exactly as from one it builds itself.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import type { DesiredEnvironment } from '../../src/desired/desired-state.ts';
import { applySet } from '../../src/plan/apply-set.ts';
import { buildContext } from '../../src/plan/context.ts';
import { planEnvironment } from '../../src/plan/plan.ts';
import { ENABLE_PLUGINS, pluginConfigYaml, pluginYaml } from '../support/manifests.ts';
import { CONFIG_FILE, exampleLiveState, STAGING_CONFIG } from '../support/plan-fixture.ts';

async function desiredOf(files: Record<string, string>): Promise<DesiredEnvironment> {
  const repo = new MemoryRepo({ [CONFIG_FILE]: STAGING_CONFIG });
  for (const [name, content] of Object.entries(files)) repo.set(`clusters/staging/${name}`, content);
  return loadEnvironment(repo, parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!).environments[0]!);
}

const FILES = {
  'meshconfig.yaml': ENABLE_PLUGINS,
  'cors.yaml': pluginYaml('cors'),
  'cfg.yaml': pluginConfigYaml('cfg', { config: 'allowOrigins:\n  - exact: http://a' }),
  // Not an FSM kind: a finding of buildContext's classification, which the plan reports.
  'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: bookinfo\n',
};

test('given the context it was built from, the plan and the apply set are the ones they build themselves', async () => {
  const desired = await desiredOf(FILES);
  const live = exampleLiveState();
  const built = buildContext(desired, live);
  const findings = [...built.findings];
  assert.ok(findings.length > 0, 'the classification has a finding to carry');
  assert.deepEqual(applySet(desired, live, built.context), applySet(desired, live));
  assert.deepEqual(planEnvironment(desired, live, { built }), planEnvironment(desired, live));
  assert.deepEqual(built.findings, findings, 'the plan added its findings to a copy, not to the shared context');
});

test('the plan and the apply set work from the context they are given, not one of their own', async () => {
  const desired = await desiredOf(FILES);
  const live = exampleLiveState();
  // A context of the same live state without cfg.yaml: had either built its own, cfg would be created.
  const without = buildContext(await desiredOf({ ...FILES, 'cfg.yaml': '' }), live);
  const creates = (names: string[]): boolean => names.includes('cfg');
  assert.equal(creates(applySet(desired, live).apply.map((o) => o.metadata.name)), true);
  assert.equal(creates(applySet(desired, live, without.context).apply.map((o) => o.metadata.name)), false);
  assert.equal(creates(planEnvironment(desired, live).changes.map((c) => c.name)), true);
  assert.equal(creates(planEnvironment(desired, live, { built: without }).changes.map((c) => c.name)), false);
});
