import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { loadAll } from 'js-yaml';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import { parseManifest } from '../../src/plan/release-changes.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { fsmChart } from '../support/helm-charts.ts';

// deploy/rbac-chart.yaml against what FSM's chart renders: every object helm upgrade or rollback may touch is
// covered, by a rule evaluated as Kubernetes' RBAC authorizer matches one (group, resource, verb, name).
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Request {
  group: string;
  resource: string;
  verb: string;
  name?: string;
  /** undefined: cluster-scoped (a ClusterRole's rules); else a namespace (a Role's in it, or a ClusterRole's). */
  namespace?: string;
}

/** The chart's kinds as the authorizer sees them: API group, resource, namespaced. A kind missing here fails the test. */
const RESOURCES: Record<string, [string, string, boolean]> = {
  ClusterRole: ['rbac.authorization.k8s.io', 'clusterroles', false],
  ClusterRoleBinding: ['rbac.authorization.k8s.io', 'clusterrolebindings', false],
  Role: ['rbac.authorization.k8s.io', 'roles', true],
  RoleBinding: ['rbac.authorization.k8s.io', 'rolebindings', true],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io', 'mutatingwebhookconfigurations', false],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io', 'validatingwebhookconfigurations', false],
  IngressClass: ['networking.k8s.io', 'ingressclasses', false],
  Deployment: ['apps', 'deployments', true],
  DaemonSet: ['apps', 'daemonsets', true],
  Service: ['', 'services', true],
  ServiceAccount: ['', 'serviceaccounts', true],
  ConfigMap: ['', 'configmaps', true],
  Secret: ['', 'secrets', true],
  HorizontalPodAutoscaler: ['autoscaling', 'horizontalpodautoscalers', true],
  PodDisruptionBudget: ['policy', 'poddisruptionbudgets', true],
};

/** Every optional component of FSM's chart on, so that each kind and name it can render is rendered. */
const ALL_COMPONENTS: JsonObject = {
  fsm: {
    meshName: 'fsm',
    egressGateway: { enabled: true },
    enableFluentbit: true,
    fluentBit: { enableProxySupport: true },
    fsmController: { autoScale: { enable: true }, enablePodDisruptionBudget: true },
    injector: { autoScale: { enable: true }, enablePodDisruptionBudget: true },
    fsmIngress: { enabled: true },
    remoteLogging: { enable: true },
    trafficInterceptionMode: 'NodeLevel',
    deployGrafana: true,
    deployJaeger: true,
    deployPrometheus: true,
    featureFlags: { enableMeshRootCertificate: true },
  },
};

const NAMESPACE = 'fsm-system';
const clusterRules: Rule[] = [];
const namespaceRules: Rule[] = [];
const rendered: KubeObject[] = [];

function allows(request: Request): boolean {
  const rules = request.namespace === undefined ? clusterRules : [...clusterRules, ...(request.namespace === NAMESPACE ? namespaceRules : [])];
  return rules.some(
    (rule) =>
      (rule.apiGroups.includes(request.group) || rule.apiGroups.includes('*')) &&
      (rule.resources.includes(request.resource) || rule.resources.includes('*')) &&
      (rule.verbs.includes(request.verb) || rule.verbs.includes('*')) &&
      (!rule.resourceNames?.length || (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

function hookEvents(object: KubeObject): string[] {
  const annotations = (object.metadata['annotations'] ?? {}) as Record<string, string>;
  return annotations['helm.sh/hook']?.split(',').map((e) => e.trim()) ?? [];
}

before(async () => {
  for (const object of loadAll(readFileSync('deploy/rbac-chart.yaml', 'utf8')) as KubeObject[]) {
    const rules = (object as unknown as { rules?: Rule[] }).rules ?? [];
    if (object.kind === 'ClusterRole') clusterRules.push(...rules);
    if (object.kind === 'Role' && object.metadata['namespace'] === NAMESPACE) namespaceRules.push(...rules);
  }
  const helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), undefined);
  for (const version of ['1.5.1', '1.6.0'] as const) {
    for (const values of [{ fsm: { meshName: 'fsm' } }, ALL_COMPONENTS]) {
      const manifest = await helm.template({ name: 'fsm', namespace: NAMESPACE }, fsmChart(version), values, { timeoutMs: 60_000, kubeVersion: 'v1.20.2' });
      rendered.push(...parseManifest(manifest, `chart ${version}`).values());
    }
  }
});

test('the chart hooks run only at install and delete, so upgrade and rollback never create their Jobs', () => {
  const hooks = rendered.filter((o) => hookEvents(o).length > 0);
  assert.ok(hooks.some((o) => o.kind === 'Job'), 'the chart renders its hook Jobs');
  for (const hook of hooks) {
    assert.deepEqual(hookEvents(hook).filter((e) => e !== 'pre-install' && e !== 'post-delete'), [], `${hook.kind} ${hook.metadata.name}`);
  }
});

test('every object the chart renders (1.5.1 and 1.6.0, every component on) may be read, created, patched, deleted and watched', () => {
  const objects = rendered.filter((o) => hookEvents(o).length === 0);
  assert.ok(objects.length > 50, `rendered ${objects.length} objects`);
  for (const object of objects) {
    const known = RESOURCES[object.kind];
    assert.ok(known, `${object.kind} is not in RESOURCES: add a rule for it to deploy/rbac-chart.yaml`);
    const [group, resource, namespaced] = known;
    const namespace = namespaced ? NAMESPACE : undefined;
    const name = object.metadata.name;
    for (const verb of ['get', 'patch', 'delete']) assert.ok(allows({ group, resource, verb, name, namespace }), `${verb} ${object.kind} ${name}`);
    for (const verb of ['create', 'list', 'watch']) assert.ok(allows({ group, resource, verb, namespace }), `${verb} ${object.kind}`);
    if (object.kind === 'ClusterRole' || object.kind === 'Role') assert.ok(allows({ group, resource, verb: 'escalate', name, namespace }), `escalate ${object.kind} ${name}`);
    const roleRef = object['roleRef'] as { kind: string; name: string } | undefined;
    if (roleRef) assert.ok(allows({ group, resource: `${roleRef.kind.toLowerCase()}s`, verb: 'bind', name: roleRef.name, namespace }), `bind ${roleRef.kind} ${roleRef.name} in ${object.kind} ${name}`);
  }
});

test("helm's release Secrets may be listed, read, created, updated and pruned in the mesh namespace only", () => {
  const secret = { group: '', resource: 'secrets', name: 'sh.helm.release.v1.fsm.v7' };
  for (const verb of ['get', 'create', 'update', 'delete']) assert.ok(allows({ ...secret, verb, namespace: NAMESPACE }), verb);
  assert.ok(allows({ ...secret, verb: 'list', name: undefined, namespace: NAMESPACE }));
  assert.equal(allows({ ...secret, verb: 'get', namespace: 'default' }), false);
});

test('least privilege: no wildcard, no unnamed escalate or bind, nothing on Jobs or CRDs, no delete or patch by any name', () => {
  for (const rule of [...clusterRules, ...namespaceRules]) {
    assert.ok(![...rule.apiGroups, ...rule.resources, ...rule.verbs].includes('*'), JSON.stringify(rule));
    if (rule.verbs.some((v) => v === 'escalate' || v === 'bind')) assert.ok(rule.resourceNames?.length, JSON.stringify(rule));
  }
  assert.equal(allows({ group: 'batch', resource: 'jobs', verb: 'create', namespace: NAMESPACE }), false);
  assert.equal(allows({ group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'patch', name: 'meshconfigs.config.flomesh.io' }), false);
  assert.equal(allows({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'patch', name: 'cluster-admin' }), false);
  assert.equal(allows({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'bind', name: 'cluster-admin' }), false);
  assert.equal(allows({ group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verb: 'delete', name: 'another-webhook' }), false);
  assert.equal(allows({ group: 'apps', resource: 'deployments', verb: 'patch', name: 'fsm-controller', namespace: 'default' }), false);
});
