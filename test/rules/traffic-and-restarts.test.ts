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

test('an IPv6 range is an error at its item: FSM intercepts with iptables (IPv4) only', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundIPRangeInclusionList:\n    - 10.0.0.0/8\n    - fd00::/8') });
  const [finding, ...more] = withCode(plan.findings, 'cidr-invalid');
  assert.deepEqual(more, []);
  assert.deepEqual([finding?.severity, finding?.path, finding?.line], ['error', 'spec.traffic.outboundIPRangeInclusionList[1]', 10]);
  assert.match(finding!.message, /never ip6tables/);
});

test('a range with host bits set is a warning; a bare address is read as /32 and passes', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundIPRangeExclusionList:\n    - 169.254.169.254\n    - 10.1.0.0/8') });
  assert.deepEqual(withCode(plan.findings, 'cidr-invalid'), []);
  assert.deepEqual(withCode(plan.findings, 'cidr-host-bits').map((f) => [f.severity, f.path]), [['warning', 'spec.traffic.outboundIPRangeExclusionList[1]']]);
});

test('more than 15 distinct ports in one list is an error at the list: iptables multiport takes 15', async () => {
  const ports = Array.from({ length: 16 }, (_, i) => 9000 + i);
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml(`traffic:\n  outboundPortExclusionList: [${ports.join(', ')}, 9000]`) });
  const [finding] = withCode(plan.findings, 'port-list-too-long');
  assert.equal(finding?.path, 'spec.traffic.outboundPortExclusionList');
  assert.match(finding!.message, /holds 16 ports/);
  const fifteen = await planFiles({ 'meshconfig.yaml': meshConfigYaml(`traffic:\n  outboundPortExclusionList: [${ports.slice(0, 15).join(', ')}, 9000]`) });
  assert.deepEqual(withCode(fifteen.findings, 'port-list-too-long'), [], 'duplicates are merged by FSM: 15 distinct ports fit');
});

test('interface names are checked as iptables and Linux read them; "+" (every interface) is a warning', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  networkInterfaceExclusionList: [eth0, "eth 1", "$(id)", a-very-long-name0, "+"]') });
  assert.deepEqual(withCode(plan.findings, 'interface-name-invalid').map((f) => f.path), [1, 2, 3].map((i) => `spec.traffic.networkInterfaceExclusionList[${i}]`));
  assert.deepEqual(withCode(plan.findings, 'traffic-exclusion-all').map((f) => [f.severity, f.path]), [['warning', 'spec.traffic.networkInterfaceExclusionList[4]']]);
});

test('excluding 0.0.0.0/0 is a warning: it switches outbound interception off', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundIPRangeExclusionList: [0.0.0.0/0]') });
  assert.equal(withCode(plan.findings, 'traffic-exclusion-all')[0]?.path, 'spec.traffic.outboundIPRangeExclusionList[0]');
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

test('a port that is not a number is one finding, the schema rule\'s, not port-invalid at the same place too', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  outboundPortExclusionList: [8080, "abc"]') });
  const at = plan.findings.filter((f) => f.path === 'spec.traffic.outboundPortExclusionList[1]').map((f) => f.code);
  assert.deepEqual(at, ['schema-type']);
});
