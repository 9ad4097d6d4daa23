import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullRequestRef } from '../../src/render/pull-request-ref.ts';

test("another repository's pull request is linked as owner/name#N, with a name's underscores escaped so they never read as emphasis", () => {
  assert.equal(pullRequestRef(12, 'acme/platform', 'acme/mesh'), 'acme/platform#12');
  assert.equal(pullRequestRef(12, 'acme/platform', 'acme/platform'), '#12');
  assert.equal(pullRequestRef(12, undefined, 'acme/mesh'), '#12');
  assert.equal(pullRequestRef(3, 'acme/_mesh_config_', 'acme/mesh'), 'acme/\\_mesh\\_config\\_#3');
  assert.equal(pullRequestRef(3, 'acme/mesh.io-v2', 'acme/mesh'), 'acme/mesh.io-v2#3');
});

test('a repository no GitHub account could own (an owner with _ or ., a record edited by hand) is named as escaped text, not linked', () => {
  assert.equal(pullRequestRef(3, '_a/b_', 'acme/mesh'), 'pull request 3 of \\_a/b\\_');
  assert.equal(pullRequestRef(3, 'a.b/c', 'acme/mesh'), 'pull request 3 of a.b/c');
  assert.equal(pullRequestRef(3, 'acme/*x*', 'acme/mesh'), 'pull request 3 of acme/\\*x\\*');
});
