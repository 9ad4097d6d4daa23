import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { chartInClusterRule } from '../../src/fsm/rules/chart-in-cluster.ts';
import type { PlanContext } from '../../src/fsm/rules/rule.ts';
import type { DryRunRejection } from '../../src/live/live-state.ts';
import type { ChartRender } from '../../src/plan/plan-types.ts';

const KEY = 'Deployment/fsm-system/fsm-controller';
const SECRET_KEY = 'Secret/fsm-system/fsm-secret';
const rendered: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'fsm-controller', namespace: 'fsm-system' },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'fsm-controller', image: 'flomesh/fsm-controller:1.5.1' }] } } },
};
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fsm-secret', namespace: 'fsm-system' }, data: { token: 'Y2hhcnQ=' } } as KubeObject;

/** A managedFields entry: `manager` owns `fields` (fieldsV1), written at `time`. */
const entry = (manager: string, fields: JsonObject, time = '2026-12-01T10:00:00Z'): JsonObject => ({ manager, operation: 'Update', time, fieldsV1: fields });
const HELM = entry('helm', { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"fsm-controller"}': { 'f:image': {} } } } } } });

function live(object: KubeObject, patch: JsonObject, managedFields: JsonObject[]): JsonObject {
  const copy = structuredClone(object) as unknown as JsonObject;
  return { ...copy, ...patch, metadata: { ...(copy['metadata'] as JsonObject), managedFields } };
}

/** values.yaml as the tests' environment has it: each path's line is its depth plus 10, its column its depth. */
const VALUES = { file: 'clusters/staging/values.yaml', values: {} as JsonObject, locate: (path: readonly unknown[]) => ({ line: 10 + path.length, column: path.length }) };

function check(live: Map<string, JsonObject> | { unread: string; forbidden?: true }, rejected = new Map<string, DryRunRejection>(), values: JsonObject = {}): ReturnType<typeof chartInClusterRule.check> {
  const chart = { ok: true, chartVersion: '1.5.1', via: 'server dry run', deployed: new Map([[KEY, rendered]]), rendered: new Map([[KEY, rendered], [SECRET_KEY, secret]]), upgrade: {}, inCluster: live instanceof Map ? { live, rejected } : live } as unknown as ChartRender;
  const context = {
    chart,
    desired: { values: { ...VALUES, values } },
    environment: { name: 'staging', at: { file: '.github/fsm-gitops.yml', line: 3, keys: {} } },
    live: { helmRelease: { chartVersion: '1.5.1' } },
  } as unknown as PlanContext;
  return chartInClusterRule.check(context);
}

test('a field the chart sets, changed by another field manager to another value: a warning at values.yaml naming the object, the field, both values and the manager', () => {
  const edited = live(rendered, { spec: { ...(rendered['spec'] as JsonObject), replicas: 3 } }, [HELM, entry('kubectl-edit', { 'f:spec': { 'f:replicas': {} } })]);
  const [finding, ...more] = check(new Map([[KEY, edited]]));
  assert.deepEqual(more, []);
  assert.deepEqual([finding?.severity, finding?.code, finding?.file, finding?.line], ['warning', 'chart-live-changes', 'clusters/staging/values.yaml', 1]);
  assert.match(finding!.message, /: Deployment fsm-system\/fsm-controller: spec\.replicas 3 → 1 \(set by kubectl-edit\)\. To keep a change, set it in values\.yaml/);
});

test('nothing to say: only helm wrote the fields, another manager set the value the chart sets, or owns only status and fields the chart leaves out', () => {
  const same = live(rendered, {}, [HELM, entry('kubectl-client-side-apply', { 'f:spec': { 'f:replicas': {} } })]);
  const controller = live(rendered, { status: { replicas: 1 } }, [HELM, entry('kube-controller-manager', { 'f:status': { 'f:replicas': {} }, 'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } } })]);
  for (const object of [live(rendered, {}, [HELM]), same, controller]) assert.deepEqual(check(new Map([[KEY, object]])), []);
  assert.deepEqual(check(new Map()), [], 'no live objects: nothing was there to change');
});

test("a scale through the scale subresource (no field manager on 1.20) to a count neither revision has is named; a Secret's values are never quoted", () => {
  const scaled = live(rendered, { spec: { ...(rendered['spec'] as JsonObject), replicas: 5 } }, [HELM]);
  const changedSecret = live(secret, { data: { token: 'aGFuZA==' } }, [entry('helm', { 'f:data': { 'f:token': {} } }), entry('kubectl-edit', { 'f:data': { 'f:token': {} } })]);
  const [finding] = check(new Map([[KEY, scaled], [SECRET_KEY, changedSecret]]));
  assert.match(finding!.message, /Deployment fsm-system\/fsm-controller: spec\.replicas 5 → 1 \(set by a scale to 5/);
  assert.match(finding!.message, /Secret fsm-system\/fsm-secret: data\.token \(set by kubectl-edit\)/);
  assert.doesNotMatch(finding!.message, /aGFuZA|Y2hhcnQ/);
});

test('objects that could not be read: a notice that the plan compared with the stored manifest only', () => {
  const [finding] = check({ unread: 'deployments.apps is forbidden' });
  assert.deepEqual([finding?.severity, finding?.code], ['notice', 'chart-live-changes']);
  assert.match(finding!.message, /could not be checked in the cluster \(deployments\.apps is forbidden\): the plan compares the chart with the release's stored manifest only, the API server did not check/);
});

test("objects RBAC would not let the plan read: a warning that chart upgrades need deploy/rbac-chart.yaml's role, or apply fails", () => {
  const [finding] = check({ unread: 'serviceaccounts "fsm" is forbidden', forbidden: true });
  assert.deepEqual([finding?.severity, finding?.code], ['warning', 'chart-live-changes']);
  assert.match(finding!.message, /could not be read or dry-run: RBAC refused \(serviceaccounts "fsm" is forbidden\)\. A chart upgrade reads and writes every object of FSM's release, which deploy\/rbac\.yaml does not allow: bind deploy\/rbac-chart\.yaml/);
});

test("the API server's refusal of an object in the dry run of the upgrade's write is a server-rejected error at values.yaml, in its words", () => {
  const rejected = new Map([[KEY, { status: 422, message: 'Deployment.apps "fsm-controller" is invalid: spec.template.spec.containers[0].resources.limits[cpu]: Invalid value: "2x": must match the regex', causes: [] }]]);
  const findings = check(new Map([[KEY, live(rendered, {}, [HELM])]]), rejected);
  assert.deepEqual(findings.map((f) => [f.severity, f.code, f.file, f.line]), [['error', 'server-rejected', 'clusters/staging/values.yaml', 1]]);
  assert.match(findings[0]!.message, /^the API server refuses Deployment fsm-system\/fsm-controller as the chart renders it with these values \(dry run of the upgrade's write\): Deployment\.apps "fsm-controller" is invalid: .*Invalid value: "2x"/);
});

test('a refusal quoting a value that values.yaml sets at one place, under a key named as the refused field, is reported at that line; else at the file', () => {
  const refusal = (field: string, value: string) => new Map([[KEY, { status: 422, message: `Deployment.apps "fsm-controller" is invalid: ${field}: Invalid value: ${value}: must match the regex`, causes: [] }]]);
  const at = (values: JsonObject, field = 'spec.template.spec.containers[0].resources.limits[cpu]', value = '"2x"') =>
    check(new Map([[KEY, live(rendered, {}, [HELM])]]), refusal(field, value), values).map((f) => [f.file, f.line, f.column, f.path]);
  const limits = { fsm: { injector: { resource: { limits: { cpu: '2x' } } }, fsmController: { replicaCount: 2 } } };
  assert.deepEqual(at(limits), [['clusters/staging/values.yaml', 15, 5, 'fsm.injector.resource.limits.cpu']]);
  const port = 'spec.template.spec.containers[0].ports[0].containerPort';
  assert.deepEqual(at({ fsm: { injector: { containerPort: 70000 } } }, port, '70000'), [['clusters/staging/values.yaml', 13, 3, 'fsm.injector.containerPort']]);
  assert.deepEqual(at({ fsm: { fsmController: { replicaCount: 1 } } }, port, '1'), [['clusters/staging/values.yaml', 1, undefined, undefined]], 'the value alone (1) is not its place: the names differ');
  assert.deepEqual(at({ fsm: { a: { cpu: '2x' }, b: { cpu: '2x' } } }), [['clusters/staging/values.yaml', 1, undefined, undefined]], 'two places: which one the template used is unknown');
  assert.deepEqual(at({ fsm: { replicaCount: 2 } }), [['clusters/staging/values.yaml', 1, undefined, undefined]]);
});

test("a decoding error (a patch whose result does not decode) names the value in the JSON around it: found under that key", () => {
  const message = `"" is invalid: patch: Invalid value: (the object as patched): v1.ResourceRequirements.Limits: unmarshalerDecoder: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', error found in #10 byte of ...|"cpu":"2x","memory":|..., bigger context ...|{"limits":{"cpu":"2x","memory":"2G"}|...`;
  const rejected = new Map([[KEY, { status: 422, message, causes: [] }]]);
  const values = { fsm: { fsmController: { resource: { limits: { cpu: '2x' } } }, note: { text: '2x' } } };
  const [finding] = check(new Map([[KEY, live(rendered, {}, [HELM])]]), rejected, values);
  assert.deepEqual([finding?.line, finding?.path], [15, 'fsm.fsmController.resource.limits.cpu']);
  assert.match(finding!.message, /\|\.\.\. \(a quantity is a number with an optional suffix, such as 2, 500m or 1\.5 for CPU and 128Mi or 1Gi for memory\)$/);
  const huge = check(new Map([[KEY, live(rendered, {}, [HELM])]]), new Map([[KEY, { status: 422, message: 'Invalid value: "'.repeat(70_000) + 'error found in #9 byte of ...|'.repeat(30_000), causes: [] }]]), values);
  assert.equal(huge[0]?.line, 1, 'a 1 MB message of unclosed quotes is read in linear time and names nothing');
});
