import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { reviewScope } from '../../src/deploy/review-scope.ts';

const config = (stagingApprovals: number) =>
  parseRepoConfig(
    '.github/fsm-gitops.yml',
    new TextEncoder().encode(`environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    approvals: ${stagingApprovals}\n  production:\n    path: clusters/production\n    cluster: production\n`),
  );

const scoped = (paths: string[], only?: string[], head = config(1)) =>
  reviewScope(config(1), head, paths, 10, only).environments.map((e) => [e.name, e.changesFiles, e.policyChange?.kind ?? '-']);

test('an environment is planned when the pull request changes its files or its policy, or /fsm plan names it; changesFiles tells which of them a merge deploys', () => {
  assert.deepEqual(scoped(['clusters/production/values.yaml', 'README.md']), [['production', true, '-']]);
  assert.deepEqual(scoped(['.github/fsm-gitops.yml'], undefined, config(2)), [['staging', false, 'changed']]);
  assert.deepEqual(scoped(['clusters/production/values.yaml'], ['staging']), [['staging', false, '-']]);
  assert.deepEqual(scoped(['clusters/staging-old/values.yaml']), [], 'a sibling folder with the same prefix is not the environment\'s');
});
