import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch, withoutObjectEcho } from '../../src/kube/chart-dry-run.ts';

test('the merge patch from the stored manifest to the render: changed and added fields, dropped keys as null, lists whole, nothing for what is equal', () => {
  const deployed = { metadata: { name: 'c', labels: { a: '1', gone: 'x' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'v1' }] } }, same: { k: 1 } } };
  const rendered = { metadata: { name: 'c', labels: { a: '2' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'v2' }] } }, same: { k: 1 }, added: true } };
  assert.deepEqual(mergePatch(deployed, rendered), {
    metadata: { labels: { a: '2', gone: null } },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } }, added: true },
  });
  assert.deepEqual(mergePatch({}, rendered), rendered, 'nothing stored: the whole render');
});

test('a refusal echoing the whole patched object keeps what is wrong and where, not the object; a short value at fault stays', () => {
  const object = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { managedFields: 'x'.repeat(400) } }).replace(/"/g, '\\"');
  const message = `"" is invalid: patch: Invalid value: "${object}": v1.Container.Resources: quantities must match, error found in #10 byte of ...|"cpu":"2x"|...`;
  assert.equal(withoutObjectEcho(message), 'the patched object does not decode: v1.Container.Resources: quantities must match, error found in #10 byte of ...|"cpu":"2x"|...');
  const short = 'Service "fsm-validator" is invalid: spec.ports[1].name: Invalid value: "validator!": a DNS-1123 label';
  assert.equal(withoutObjectEcho(short), short);
  const elsewhere = `Deployment.apps "fsm-controller" is invalid: spec.template: Invalid value: "${object}": why`;
  assert.equal(withoutObjectEcho(elsewhere), 'Deployment.apps "fsm-controller" is invalid: spec.template: Invalid value: (the object as patched): why', 'only the undecoded patch is reworded');
});
