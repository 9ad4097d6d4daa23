import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch } from '../../src/kube/chart-dry-run.ts';

test('the merge patch from the stored manifest to the render: changed and added fields, dropped keys as null, lists whole, nothing for what is equal', () => {
  const deployed = { metadata: { name: 'c', labels: { a: '1', gone: 'x' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'v1' }] } }, same: { k: 1 } } };
  const rendered = { metadata: { name: 'c', labels: { a: '2' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'v2' }] } }, same: { k: 1 }, added: true } };
  assert.deepEqual(mergePatch(deployed, rendered), {
    metadata: { labels: { a: '2', gone: null } },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } }, added: true },
  });
  assert.deepEqual(mergePatch({}, rendered), rendered, 'nothing stored: the whole render');
});
