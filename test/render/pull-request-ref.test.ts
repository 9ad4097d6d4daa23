import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullRequestRef, pullRequestText } from '../../src/render/pull-request-ref.ts';

test("another repository's pull request is linked as owner/name#N, with a name's underscores escaped so they never read as emphasis", () => {
  assert.equal(pullRequestRef(12, 'acme/platform', 'acme/mesh'), 'acme/platform#12');
  assert.equal(pullRequestRef(12, 'acme/platform', 'acme/platform'), '#12');
  assert.equal(pullRequestRef(12, undefined, 'acme/mesh'), '#12');
  assert.equal(pullRequestRef(3, 'acme/_mesh_config_', 'acme/mesh'), 'acme/\\_mesh\\_config\\_#3');
  assert.equal(pullRequestRef(3, 'acme/mesh.io-v2', 'acme/mesh'), 'acme/mesh.io-v2#3');
});

test('a repository GitHub does not name so (an owner with ., a record edited by hand), or one GFM would autolink as a web address, is named as escaped text, not linked', () => {
  assert.equal(pullRequestRef(3, 'octocat_acme/mesh', 'acme/mesh'), 'octocat\\_acme/mesh#3', "an Enterprise Managed User's name holds _");
  assert.equal(pullRequestRef(3, 'a.b/c', 'acme/mesh'), 'pull request 3 of a.b/c');
  assert.equal(pullRequestRef(3, 'acme/_www.evil.com', 'acme/mesh'), 'pull request 3 of acme/\\_www\u200b.evil.com');
  assert.equal(pullRequestRef(3, ['acme/x'] as unknown as string, 'acme/mesh'), 'acme/x#3', 'a hand-edited record of another type does not throw');
  assert.equal(pullRequestRef(3, 'acme/*x*', 'acme/mesh'), 'pull request 3 of acme/\\*x\\*');
});

test('as plain text (a fenced reply): #N here, owner/name#N elsewhere, unescaped', () => {
  assert.equal(pullRequestText(12, 'acme/mesh', 'acme/mesh'), '#12');
  assert.equal(pullRequestText(12, 'acme/_x_', 'acme/mesh'), 'acme/_x_#12');
});
