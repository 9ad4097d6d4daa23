/**
 * docs/getting-started.md is true: its repository (the config, meshconfig.yaml, the Plugin manifests and the
 * script, in the order the page gives them), planned against the example cluster, has no findings and the
 * changes the page shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { planFiles } from '../support/plan-fixture.ts';

const DOC = readFileSync(new URL('../../docs/getting-started.md', import.meta.url), 'utf8');
const blocks = (lang: string): string[] => [...DOC.matchAll(new RegExp(String.raw`\x60\x60\x60${lang}\n([\s\S]*?)\x60\x60\x60`, 'g'))].map((m) => m[1]!);

test('the guide\'s repository plans cleanly: 3 objects created and the MeshConfig updated, as the page shows', async () => {
  const [config, meshConfig, plugins] = blocks('yaml');
  const [script] = blocks('js');
  const plan = await planFiles(
    { '/clusters/dev/meshconfig.yaml': meshConfig!, '/clusters/dev/plugins/add-header.yaml': plugins!, '/clusters/dev/plugins/add-header.js': script! },
    { config: config! },
  );
  assert.deepEqual(plan.findings, []);
  const counts = (action: string): number => plan.changes.filter((c) => c.action === action).length;
  assert.deepEqual([counts('create'), counts('update'), counts('delete')], [3, 1, 0]);
  assert.match(DOC, /Plan: 3 to create, 1 to update, 0 to delete · 0 errors, 0 warnings, 0 notices/);
});
