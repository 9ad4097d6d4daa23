import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, JsonValue } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { exampleLiveState, meshConfigYaml, planFiles, withCode } from '../support/plan-fixture.ts';

// managedFields as kube-apiserver v1.20 wrote them (test/cluster/drift.cluster-test.ts): fsm-bootstrap created
// the MeshConfig; fsm-gitops applied traffic and featureFlags.enablePluginPolicy; one second after, a person's
// `kubectl patch` set the port list, which took it out of fsm-gitops's entry.
const CREATED = '2026-12-01T04:47:34Z';
const APPLIED = '2026-12-01T04:47:36Z';
const PATCHED = '2026-12-01T04:47:38Z';

const bootstrap = (time: string): JsonValue => ({
  manager: 'fsm-bootstrap', operation: 'Update', time, fieldsType: 'FieldsV1',
  fieldsV1: { 'f:spec': { '.': {}, 'f:sidecar': { '.': {}, 'f:logLevel': {} }, 'f:traffic': { '.': {}, 'f:enableEgress': {}, 'f:outboundIPRangeExclusionList': {} } } },
});
const gitops = (time: string, traffic: JsonObject = { '.': {}, 'f:enableEgress': {} }): JsonValue => ({
  manager: 'fsm-gitops', operation: 'Apply', time, fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:fsm-gitops.io/commit': {} } }, 'f:spec': { '.': {}, 'f:featureFlags': { '.': {}, 'f:enablePluginPolicy': {} }, 'f:traffic': traffic } },
});
const patch = (time: string): JsonValue => ({
  manager: 'kubectl-patch', operation: 'Update', time, fieldsType: 'FieldsV1',
  fieldsV1: { 'f:spec': { 'f:traffic': { 'f:outboundPortExclusionList': {} } } },
});

/** The staging MeshConfig with these managedFields, created at `created`, its port list [6379, 11211] and sidecar log level error. */
function meshConfigLive(managedFields: JsonValue[], created = CREATED) {
  return exampleLiveState('staging', (objects) => {
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig')!;
    meshConfig.metadata['managedFields'] = managedFields;
    meshConfig.metadata['creationTimestamp'] = created;
    const spec = meshConfig['spec'] as { traffic: { outboundPortExclusionList: number[] }; sidecar: { logLevel: string } };
    spec.traffic.outboundPortExclusionList = [6379, 11211];
    spec.sidecar.logLevel = 'error';
    return objects;
  });
}

const PORTS = meshConfigYaml('traffic:\n  enableEgress: true\n  outboundPortExclusionList: [6379]');

test('a field fsm-gitops applied, changed since by another manager, is drift naming the manager and both times', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': PORTS }, { live: meshConfigLive([gitops(APPLIED), bootstrap(CREATED), patch(PATCHED)]) });
  const findings = withCode(plan.findings, 'drift');
  assert.equal(findings.length, 1, JSON.stringify(findings));
  assert.equal(findings[0]!.path, 'spec.traffic.outboundPortExclusionList');
  assert.equal(findings[0]!.line, 9);
  assert.match(findings[0]!.message, /changed in the cluster by kubectl-patch \(Update at 2026-12-01T04:47:38Z\) after fsm-gitops applied it \(at 2026-12-01T04:47:36Z\): it is \[6379,11211\] there, \[6379\] in the repository/);
});

test('a field only fsm-bootstrap set, which the repository starts to set, is taken over: not drift', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true\nsidecar:\n  logLevel: debug') }, { live: meshConfigLive([gitops(APPLIED), bootstrap(CREATED)]) });
  assert.deepEqual(withCode(plan.findings, 'drift'), []);
  const meshConfig = plan.changes.find((c) => c.kind === 'MeshConfig')!;
  assert.equal(meshConfig.action, 'update');
});

test('taken over even when fsm-gitops applied in the second fsm-bootstrap created the object', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('sidecar:\n  logLevel: debug') }, { live: meshConfigLive([gitops(CREATED), bootstrap(CREATED)]) });
  assert.deepEqual(withCode(plan.findings, 'drift'), []);
});

test('a change in the second of fsm-gitops\'s apply is drift when the object is older than that second', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': PORTS }, { live: meshConfigLive([gitops(APPLIED), bootstrap(CREATED), patch(APPLIED)]) });
  assert.deepEqual(withCode(plan.findings, 'drift').map((f) => f.path), ['spec.traffic.outboundPortExclusionList']);
});

test('a field fsm-gitops still owns (shared with a manager that set the same value) differs because the repository changed it: not drift', async () => {
  const traffic = { '.': {}, 'f:enableEgress': {}, 'f:outboundPortExclusionList': {} };
  const shared: JsonValue = { manager: 'fsm-bootstrap', operation: 'Update', time: PATCHED, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:traffic': traffic } } };
  const plan = await planFiles({ 'meshconfig.yaml': PORTS }, { live: meshConfigLive([gitops(APPLIED, traffic), shared]) });
  assert.deepEqual(withCode(plan.findings, 'drift'), []);
});

test('no drift before fsm-gitops ever applied the object (the first apply takes over from fsm-bootstrap)', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': PORTS }, { live: meshConfigLive([bootstrap(PATCHED)]) });
  assert.deepEqual(withCode(plan.findings, 'drift'), []);
});

const CHAIN = `apiVersion: plugin.flomesh.io/v1alpha1
kind: PluginChain
metadata:
  name: cors-chain
  namespace: bookinfo
spec:
  chains:
  - name: inbound-http
    plugins: [cors-policy]
  selectors:
    podSelector:
      matchLabels:
        app: productpage
`;

test('a label added inside an atomic selector is drift of the whole selector, found at the selector', async () => {
  const live = exampleLiveState('staging', (objects) => {
    const chain = {
      apiVersion: 'plugin.flomesh.io/v1alpha1',
      kind: 'PluginChain',
      metadata: {
        name: 'cors-chain', namespace: 'bookinfo', creationTimestamp: APPLIED,
        labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' },
        managedFields: [
          { manager: 'fsm-gitops', operation: 'Apply', time: APPLIED, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {}, 'f:fsm-gitops.io/environment': {} } }, 'f:spec': { 'f:chains': {} } } },
          { manager: 'kubectl-edit', operation: 'Update', time: PATCHED, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:selectors': { 'f:podSelector': {} } } } },
        ],
      },
      spec: { chains: [{ name: 'inbound-http', plugins: ['cors-policy'] }], selectors: { podSelector: { matchLabels: { app: 'productpage', tier: 'web' } } } },
    } as unknown as KubeObject;
    return [...objects, chain];
  });
  const plan = await planFiles({ 'chain.yaml': CHAIN }, { live });
  const findings = withCode(plan.findings, 'drift');
  assert.deepEqual(findings.map((f) => [f.path, f.line]), [['spec.selectors.podSelector', 11]]);
  assert.match(findings[0]!.message, /by kubectl-edit \(Update at 2026-12-01T04:47:38Z\).*it is \{"matchLabels":\{"app":"productpage","tier":"web"\}\} there, \{"matchLabels":\{"app":"productpage"\}\} in the repository/);
});
