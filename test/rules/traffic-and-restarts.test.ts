import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meshConfigYaml, planFiles, withCode } from '../support/plan-fixture.ts';

test('CIDRs the API server accepts but iptables does not are errors at their item', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundIPRangeExclusionList:\n    - 10.0.0.0/8\n    - 10.96.0.0/33') });
  const [finding] = withCode(plan.findings, 'cidr-invalid');
  assert.deepEqual([finding?.path, finding?.line], ['spec.traffic.outboundIPRangeExclusionList[1]', 10]);
});

test('ports out of range are errors', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  inboundPortExclusionList: [8080, 70000]') });
  assert.equal(withCode(plan.findings, 'port-invalid')[0]?.path, 'spec.traffic.inboundPortExclusionList[1]');
});

test('a change to a field read at injection names the meshed workloads to restart, and only those', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundPortExclusionList: [6379]') });
  const [finding] = withCode(plan.findings, 'restart-required');
  assert.equal(finding?.line, 8);
  assert.match(finding!.message, /Deployment bookinfo\/productpage/);
  assert.ok(plan.restarts.length > 0);
  assert.ok(plan.restarts.every((w) => ['bookinfo', 'payments'].includes(w.namespace)), 'unmonitored namespaces are not affected');
});

test('a field that takes effect live needs no restart', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true') });
  assert.deepEqual(withCode(plan.findings, 'restart-required'), []);
  assert.deepEqual(plan.restarts, []);
});
