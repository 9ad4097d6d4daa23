import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { cli } from '../support/cli.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { serves, startCluster, stopCluster } from '../support/kube-test-cluster.ts';

// The plan of a chart upgrade against the real kube-apiserver 1.20 with FSM's chart 1.5.1 installed by the real
// helm (--no-hooks: no kubelet runs its pre-install Job; --server-side=false: 1.20 refuses Helm 4's server-side
// apply of the chart's Services). The CLI renders the upgrade with `helm upgrade --dry-run=server`.
const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const CONFIG = `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    chart: { upgrade: true }
`;

let kubeconfig: string;
let repo: string;

before(async () => {
  kubeconfig = startCluster();
  const connection = await KubeClient.fromFile(kubeconfig).connection();
  const helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), connection, { serverSide: 'false' });
  await helm.install(RELEASE, fsmChart('1.5.1'), { fsm: { meshName: 'fsm' } }, { timeoutMs: 120_000, noHooks: true, createNamespace: true });
  repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-helm-plan-'));
  await mkdir(join(repo, '.github'));
  await mkdir(join(repo, 'clusters/staging'), { recursive: true });
  await writeFile(join(repo, '.github/fsm-gitops.yml'), CONFIG);
});
after(async () => {
  stopCluster(kubeconfig);
  await rm(repo, { recursive: true, force: true });
});

interface JsonPlan {
  environments: { changes: { kind: string; name: string; action: string; rollout: boolean; fields: { path: string; before?: unknown; after?: unknown }[] }[]; findings: { code: string; severity: string; message: string; file?: string; line?: number; path?: string }[] }[];
}

async function plan(values: string, format: 'json' | 'text') {
  await writeFile(join(repo, 'clusters/staging/values.yaml'), values);
  return cli(['plan', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--format', format, '--detailed-exitcode'], { stderrIsTty: true });
}

test('a values change: the plan shows what helm upgrade --dry-run=server renders, per object, and exits 2', async () => {
  const values = 'fsm:\n  fsmController:\n    replicaCount: 3\n  controllerLogLevel: debug\n';
  const json = await plan(values, 'json');
  assert.equal(json.code, 2, json.stderr);
  const result = JSON.parse(json.stdout) as JsonPlan;
  const changes = result.environments[0]!.changes;
  const controller = changes.find((c) => c.kind === 'Deployment' && c.name === 'fsm-controller');
  assert.equal(controller?.action, 'update', JSON.stringify(changes.map((c) => [c.kind, c.name, c.action])));
  assert.deepEqual(controller?.fields.find((f) => f.path === 'spec.replicas'), { path: 'spec.replicas', before: 1, after: 3 });
  assert.equal(controller?.rollout, true);
  assert.deepEqual(result.environments[0]!.findings.filter((f) => f.code === 'chart-render-failed'), []);
  assert.deepEqual(result.environments[0]!.findings.filter((f) => f.code === 'chart-live-changes'), [], 'nobody but helm wrote the objects');

  const text = await plan(values, 'text');
  assert.equal(text.code, 2, text.stderr);
  assert.match(text.stdout, /~ Deployment fsm-system\/fsm-controller/);
  assert.match(text.stdout, /spec\.replicas: 1 → 3/);
  assert.match(text.stdout, /rolls: its pod template changes/);
  assert.match(text.stderr, /rendered chart 1\.5\.1 \(server dry run\)/);
});

test("a value the chart's schema refuses is the schema error at its line; helm's server dry run refusing it too is not a second error", async () => {
  const json = await plan('fsm:\n  fsmController:\n    replicaCount: three\n', 'json');
  assert.equal(json.code, 1, json.stderr);
  const errors = (JSON.parse(json.stdout) as JsonPlan).environments[0]!.findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => [f.code, f.line]), [['schema-type', 3]]);
});

test('values.yaml equal to the deployed values: exit 0, no change', async () => {
  for (const values of ['fsm:\n  meshName: fsm\n', 'fsm: {}\n']) {
    const json = await plan(values, 'json');
    assert.equal(json.code, 0, `${values}: ${json.stderr}\n${json.stdout}`);
    const changes = (JSON.parse(json.stdout) as JsonPlan).environments[0]!.changes;
    assert.deepEqual(changes.filter((c) => c.action !== 'unchanged'), []);
    assert.doesNotMatch(json.stderr, /rendered chart/);
  }
});

test('a hand change to a chart object (kubectl set image, under its own field manager) that the upgrade takes back is a warning naming it, with the values', async () => {
  const client = KubeClient.fromFile(kubeconfig);
  const path = '/apis/apps/v1/namespaces/fsm-system/deployments/fsm-injector';
  const live = (await client.get(path, 'read fsm-injector'))!;
  const container = ((live['spec'] as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers)[0]!;
  await client.request({
    method: 'PATCH',
    path,
    query: { fieldManager: 'kubectl-set' },
    contentType: 'application/strategic-merge-patch+json',
    body: { spec: { template: { spec: { containers: [{ name: container.name, image: 'flomesh/fsm-injector:hotfix' }] } } } },
    what: 'set the injector image by hand',
  });
  const json = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', 'json');
  assert.equal(json.code, 2, json.stderr);
  const findings = (JSON.parse(json.stdout) as JsonPlan).environments[0]!.findings.filter((f) => f.code === 'chart-live-changes');
  assert.equal(findings.length, 1, JSON.stringify(findings));
  assert.equal(findings[0]!.severity, 'warning');
  const image = `spec.template.spec.containers[name=${container.name}].image "flomesh/fsm-injector:hotfix" → ${JSON.stringify(container.image)} (set by kubectl-set)`;
  assert.ok(findings[0]!.message.includes(`Deployment fsm-system/fsm-injector: ${image}`), findings[0]!.message);
  assert.doesNotMatch(findings[0]!.message, /fsm-controller/, 'the objects only helm wrote are not named');
});

test("a value the API server refuses in the objects, not in the chart's schema (a CPU limit of \"2x\"): server-rejected from the dry run of the upgrade's write, exit 1", async () => {
  const json = await plan('fsm:\n  fsmController:\n    resource:\n      limits:\n        cpu: "2x"\n', 'json');
  assert.equal(json.code, 1, json.stderr + json.stdout);
  const findings = (JSON.parse(json.stdout) as JsonPlan).environments[0]!.findings;
  assert.deepEqual(findings.filter((f) => f.code === 'chart-render-failed'), [], 'helm renders it: only the API server refuses it');
  const rejected = findings.filter((f) => f.code === 'server-rejected');
  assert.equal(rejected.length, 1, JSON.stringify(findings));
  assert.match(rejected[0]!.message, /^the API server refuses Deployment fsm-system\/fsm-controller as the chart renders it with these values \(dry run of the upgrade's write\): the patched object does not decode: .*quantities must match .*"cpu":"2x"/);
  assert.ok(rejected[0]!.message.length < 1500, `the object the server echoes is left out: ${rejected[0]!.message.length} characters`);
  assert.deepEqual([rejected[0]!.file, rejected[0]!.line, rejected[0]!.path], ['clusters/staging/values.yaml', 5, 'fsm.fsmController.resource.limits.cpu'], 'at the line that sets the refused value');
});

test("a Service port changed by hand that the chart's own port then collides with (helm adds it back by its key): server-rejected, though the upgrade does not change the Service", async () => {
  const client = KubeClient.fromFile(kubeconfig);
  const path = '/api/v1/namespaces/fsm-system/services/fsm-validator';
  await client.request({ method: 'PATCH', path, query: { fieldManager: 'kubectl-patch' }, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/ports/0/port', value: 9999 }], what: 'change the validator port by hand' });
  const json = await plan('fsm:\n  fsmController:\n    replicaCount: 2\n', 'json');
  assert.equal(json.code, 1, json.stderr + json.stdout);
  const rejected = (JSON.parse(json.stdout) as JsonPlan).environments[0]!.findings.filter((f) => f.code === 'server-rejected');
  assert.equal(rejected.length, 1, JSON.stringify(rejected));
  assert.match(rejected[0]!.message, /^the API server refuses Service fsm-system\/fsm-validator as the chart renders it with these values \(dry run of the upgrade's write\): .*Duplicate value/);
});
