import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peekEnvironmentTargets } from '../../src/config/repo-config-peek.ts';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import type { RepoFiles } from '../../src/desired/repo-files.ts';

function repoWith(files: Record<string, string>): RepoFiles {
  return { list: async () => Object.keys(files).sort(), read: async (path) => (path in files ? new TextEncoder().encode(files[path]) : undefined) };
}

const CONFIG = `environments:
  staging:
    path: clusters/staging
    cluster: staging
  production:
    path: clusters/production
    cluster: prod-eu-1
    mesh: { name: mesh2, namespace: fsm-prod }
    deploy: on-command
`;

test('the environments\' names, clusters and meshes are peeked in file order, with the mesh defaults, as the validated config has them', async () => {
  const targets = await peekEnvironmentTargets(repoWith({ '.github/fsm-gitops.yml': CONFIG }));
  assert.deepEqual(targets, [
    { name: 'staging', cluster: 'staging', mesh: { name: 'fsm', namespace: 'fsm-system' } },
    { name: 'production', cluster: 'prod-eu-1', mesh: { name: 'mesh2', namespace: 'fsm-prod' } },
  ]);
  const config = parseRepoConfig('.github/fsm-gitops.yml', new TextEncoder().encode(CONFIG));
  assert.deepEqual(targets, config.environments.map(({ name, cluster, mesh }) => ({ name, cluster, mesh })));
  assert.deepEqual(await peekEnvironmentTargets(repoWith({ '.github/fsm-gitops.yaml': CONFIG })), targets);
});

test('nothing is peeked where the schema would refuse a name, cluster or mesh, or there is no config to read', async () => {
  const bad = [
    CONFIG.replace('cluster: staging', 'cluster: "stag\\u0007ing"'),
    CONFIG.replace('cluster: staging', 'cluster: 42'),
    CONFIG.replace('    cluster: staging\n', ''),
    CONFIG.replace('namespace: fsm-prod', 'namespace: ../../secrets'),
    CONFIG.replace('name: mesh2', `name: ${'m'.repeat(64)}`),
    CONFIG.replace('  staging:', '  Staging_1:'),
    'environments: [staging]',
    'environments: {}\n---\nenvironments: {}',
    'environments: {',
    '',
  ];
  for (const text of bad) assert.equal(await peekEnvironmentTargets(repoWith({ '.github/fsm-gitops.yml': text })), undefined, text);
  assert.equal(await peekEnvironmentTargets(repoWith({})), undefined);
});
