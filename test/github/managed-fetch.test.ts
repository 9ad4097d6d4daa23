/**
 * The app downloads only what it manages of a touched environment (YAML, the .js beside a Plugin that
 * names it), judges sizes from the Git tree before downloading, and bounds an environment's total.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { blobSha, fakeGitHub, type RecordedRequest } from '../support/fake-github.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleLiveSources, exampleRepoFiles, testProbot } from './app-harness.ts';

const HEAD = 'a'.repeat(40);
const PR = 7;
const MiB = 1024 * 1024;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** The blob shas the app asked GraphQL for (`object(oid: "...")`) and fetched from the blob API. */
function downloaded(requests: RecordedRequest[]): { graphql: string[]; blobs: string[]; queries: number } {
  const texts = requests.filter((r) => r.path === '/graphql').map((r) => (r.body as { query: string }).query);
  const queries = texts.filter((query) => /object\(oid: "/.test(query));
  const graphql = queries.flatMap((query) => [...query.matchAll(/object\(oid: "([0-9a-f]{40})"\)/g)].map((m) => m[1]!));
  const blobs = requests.filter((r) => r.path.includes('/git/blobs/')).map((r) => r.path.split('/').pop()!);
  return { graphql, blobs, queries: queries.length };
}

const sha = (content: string | Uint8Array): string => blobSha(typeof content === 'string' ? new TextEncoder().encode(content) : content);

test('a PR touching an environment with a 50 MB binary, a PNG, a README, stray scripts and a 5 MiB YAML downloads only the managed files', async () => {
  const files: Record<string, string | Uint8Array> = exampleRepoFiles();
  const binary = new Uint8Array(50 * 1000 * 1000).fill(7);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new Array<number>(2000).fill(1)]);
  const huge = `# ${'x'.repeat(5 * MiB)}\n`;
  files['clusters/staging/tools/mesh-dump.bin'] = binary;
  files['clusters/staging/plugins/diagram.png'] = png;
  files['clusters/staging/README.md'] = '# Staging\n\nNotes for people, not for the mesh.\n';
  files['clusters/staging/plugins/helper.js'] = '// no Plugin is named helper\n';
  files['clusters/staging/scripts/build.js'] = '// a build script\n';
  files['clusters/staging/plugins/generated.yaml'] = huge;
  const github = fakeGitHub({ files, changed: ['clusters/staging/plugins/generated.yaml', 'clusters/staging/tools/mesh-dump.bin'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));

  const { graphql, blobs, queries } = downloaded(github.requests);
  const managed = ['meshconfig.yaml', 'values.yaml', 'plugins/cors.yaml', 'plugins/cors-policy.js'].map((f) => sha(files[`clusters/staging/${f}`]!));
  assert.deepEqual(graphql.sort(), managed.sort(), 'exactly the YAML files within the limit and the one script a Plugin names');
  assert.deepEqual(blobs, [], 'nothing through the blob API: not the binary, not the 5 MiB YAML');
  assert.equal(queries, 2, 'one GraphQL query for the YAML files, one for the plugin scripts');
  assert.equal(github.requests.filter((r) => r.path.includes('/git/trees/')).length, 1, 'one tree, read once');

  const run = github.checkRuns.find((r) => r.name === 'fsm-gitops/staging')!;
  assert.equal(run.conclusion, 'failure');
  const refused = run.annotations.filter((a) => a.title === 'file-too-large');
  assert.deepEqual(refused.map((a) => a.path), ['clusters/staging/plugins/generated.yaml'], 'only the YAML is refused: unmanaged files are not findings');
  assert.match(refused[0]!.message, /5\.0 MiB, over the 4\.0 MiB limit.*move it out of the environment folder, or split it/);
  assert.match(github.comments[0]!.body, /generated\.yaml/);
});

test("an environment whose YAML passes 32 MiB together is one finding naming the largest files, and none of them is downloaded", async () => {
  const files: Record<string, string | Uint8Array> = exampleRepoFiles();
  for (let i = 1; i <= 9; i++) files[`clusters/staging/export/part-${i}.yaml`] = `# ${String(i).repeat(Math.round(3.9 * MiB))}\n`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/export/part-1.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));

  const { graphql, blobs } = downloaded(github.requests);
  assert.deepEqual([graphql, blobs], [[], []], 'nothing of the environment is downloaded');
  const run = github.checkRuns.find((r) => r.name === 'fsm-gitops/staging')!;
  assert.equal(run.conclusion, 'failure');
  const finding = run.annotations.find((a) => a.title === 'environment-too-large')!;
  assert.ok(finding, run.annotations.map((a) => a.title).join(', '));
  assert.match(finding.message, /12 files of 35\.\d MiB together are more than fsm-gitops reads for one environment \(2000 files, 32\.0 MiB\)/);
  assert.match(finding.message, /largest: clusters\/staging\/export\/part-\d\.yaml \(3\.9 MiB\)/);
  assert.ok(!github.comments[0]!.body.includes('to delete'), 'nothing is pruned when nothing could be read');
});
