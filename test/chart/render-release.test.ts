/**
 * The plan of a chart upgrade against a snapshot: FSM's real chart 1.5.1 stored in the release Secret (as Helm
 * stores it), rendered again by the real helm (`helm template`) with the environment's values.yaml, and diffed
 * per object against the release's stored manifest.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { ChartRenderer, type ChartCluster, type RenderingHelm } from '../../src/chart/render-release.ts';
import { describeDifference } from '../../src/commands/status-command.ts';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { planDigest } from '../../src/deploy/plan-digest.ts';
import type { JsonObject } from '../../src/core/json.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { HelmClient, type ChartArchive, type RepositoryChart } from '../../src/helm/helm-client.ts';
import { HelmNotFoundError } from '../../src/helm/helm-binary.ts';
import { HelmError, HelmRunner } from '../../src/helm/helm-runner.ts';
import { decodeHelmReleaseSecret } from '../../src/live/helm-release.ts';
import type { LiveState } from '../../src/live/live-state.ts';
import { planEnvironment } from '../../src/plan/plan.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderText } from '../../src/render/text.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { fsmReleaseSecret } from '../support/fsm-release.ts';
import { CONFIG_FILE, exampleLiveState, withCode } from '../support/plan-fixture.ts';

const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const DEPLOYED_VALUES: JsonObject = { fsm: { meshName: 'fsm' } };
const realHelm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), undefined);

/** The real helm, counting the renders asked of it. */
class CountingHelm implements RenderingHelm {
  calls: string[] = [];
  constructor(private readonly inner: RenderingHelm = realHelm) {}
  template(...args: Parameters<RenderingHelm['template']>): ReturnType<RenderingHelm['template']> {
    this.calls.push(`template ${JSON.stringify(args[1])}`);
    return this.inner.template(...args);
  }
  upgradeDryRun(...args: Parameters<RenderingHelm['upgradeDryRun']>): ReturnType<RenderingHelm['upgradeDryRun']> {
    this.calls.push('upgradeDryRun');
    return this.inner.upgradeDryRun(...args);
  }
  pull(...args: Parameters<RenderingHelm['pull']>): ReturnType<RenderingHelm['pull']> {
    this.calls.push(`pull ${JSON.stringify(args[0])}`);
    return this.inner.pull(...args);
  }
}

/** A chart archive as a repository would serve it (its bytes stand in: the renders using it are stand-ins too). */
async function pulled(chart: RepositoryChart): Promise<ChartArchive> {
  const bytes = Buffer.from(`${chart.name}-${chart.version}.tgz`);
  return { ...chart, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let live: LiveState;
before(async () => {
  // What `helm install` stored: the chart 1.5.1 rendered with the deployed values, hooks apart.
  const manifest = await realHelm.template(RELEASE, fsmChart('1.5.1'), DEPLOYED_VALUES, { timeoutMs: 60_000, noHooks: true });
  live = exampleLiveState();
  live.helmRelease = decodeHelmReleaseSecret(fsmReleaseSecret('1.5.1', DEPLOYED_VALUES, manifest));
  live.helmReleaseLatest = { revision: live.helmRelease.revision, status: 'deployed', lastSucceeded: live.helmRelease.revision };
});

function config(chart: string): string {
  return `environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n    prune: false\n${chart ? `    chart: ${chart}\n` : ''}`;
}

async function plan(valuesYaml: string, chart = '{ upgrade: true }', helm = new CountingHelm(), on: LiveState = live): Promise<{ plan: EnvironmentPlan; helm: CountingHelm }> {
  const repo = new MemoryRepo({ [CONFIG_FILE]: config(chart), 'clusters/staging/values.yaml': valuesYaml });
  const environment = parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!).environments[0]!;
  const desired = await loadEnvironment(repo, environment);
  const rendered = await new ChartRenderer(() => helm).render(desired, on);
  return { plan: planEnvironment(desired, on, rendered ? { chart: rendered } : {}), helm };
}

function change(p: EnvironmentPlan, kind: string, name: string) {
  return p.changes.find((c) => c.kind === kind && c.name === name);
}

describe('chart upgrade plan (snapshot: helm template with the chart from the release Secret)', () => {
  it('a values change renders the chart once and lists each changed object, with the Deployments whose pods roll', async () => {
    const { plan: p, helm } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n  controllerLogLevel: debug\n');
    assert.deepEqual(helm.calls.length, 1);
    assert.match(helm.calls[0]!, /^template \{"path":".*fsm-gitops-chart-[^"]*\/chart"\}$/, 'the chart written from the release Secret');
    const controller = change(p, 'Deployment', 'fsm-controller');
    assert.equal(controller?.action, 'update');
    assert.equal(controller?.namespace, 'fsm-system');
    assert.equal(controller?.file, 'clusters/staging/values.yaml');
    assert.deepEqual(controller?.fields.find((f) => f.path === 'spec.replicas'), { path: 'spec.replicas', before: 1, after: 3 });
    assert.equal(controller?.rollout, true, 'the --verbosity argument is in the pod template');
    assert.deepEqual(controller?.fields.filter((f) => f.path.includes('containers')).map((f) => f.path), ['spec.template.spec.containers[name=fsm-controller].args'], 'a container by its name');
    const injector = change(p, 'Deployment', 'fsm-injector');
    assert.equal(injector?.rollout, true);
    assert.ok(!injector?.fields.some((f) => f.path === 'spec.replicas'));
    // Objects the values leave alone are not listed; apply runs the upgrade: no change is marked pending.
    assert.equal(change(p, 'Service', 'fsm-controller'), undefined);
    assert.deepEqual(p.changes.filter((c) => c.pending !== undefined), []);
    const text = renderText({ environments: [p] }, { color: false });
    assert.match(text, /~ Deployment fsm-system\/fsm-controller/);
    assert.match(text, /spec\.replicas: 1 → 3/);
    assert.match(text, /rolls: its pod template changes/);
  });

  it("the example snapshot's release (a chart without templates): the notice says the chart rendered nothing, not that the plan lists what the upgrade changes", async () => {
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', '{ upgrade: true }', new CountingHelm(), exampleLiveState());
    assert.deepEqual(p.changes.filter((c) => c.kind !== 'HelmValues').map((c) => c.kind), []);
    const [notice] = withCode(p.findings, 'values-upgrade-pending');
    assert.match(notice!.message, /the chart rendered no objects, so the plan lists none: the deployed release's chart holds no templates/);
    assert.doesNotMatch(notice!.message, /the plan lists what the upgrade changes/);
  });

  it('the render carries the upgrade apply runs: the release chart from the Secret, exactly the values rendered (meshName added), the deployed revision', async () => {
    const repo = new MemoryRepo({ [CONFIG_FILE]: config('{ upgrade: true }'), 'clusters/staging/values.yaml': 'fsm:\n  fsmController:\n    replicaCount: 3\n' });
    const environment = parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!).environments[0]!;
    const rendered = await new ChartRenderer(() => new CountingHelm()).render(await loadEnvironment(repo, environment), live);
    assert.ok(rendered?.ok);
    const { upgrade } = rendered;
    const { objects, ...rest } = upgrade;
    const controller = objects.find((o) => o.deployed?.kind === 'Deployment' && o.deployed.metadata.name === 'fsm-controller');
    assert.deepEqual([controller?.deployed?.['spec'], controller?.rendered?.['spec']].map((s) => (s as { replicas?: number } | undefined)?.replicas), [1, 3], 'before and after the upgrade');
    assert.ok(objects.every((o) => o.deployed || o.rendered));
    assert.deepEqual({ ...rest, chart: 'files' in upgrade.chart ? upgrade.chart.files.map((f) => f.name).filter((n) => n === 'Chart.yaml' || n === 'templates/fsm-deployment.yaml') : upgrade.chart }, {
      release: RELEASE,
      fromRevision: 1,
      latestRevision: 1,
      fromVersion: '1.5.1',
      toVersion: '1.5.1',
      chart: ['Chart.yaml', 'templates/fsm-deployment.yaml'],
      values: { fsm: { fsmController: { replicaCount: 3 }, meshName: 'fsm' } },
    });
  });

  it("the chart's random uid (preset-mesh-config) is shown as such: the same change planned twice has the same digest", async () => {
    const values = 'fsm:\n  fsmController:\n    replicaCount: 3\n';
    const [first, second] = [(await plan(values)).plan, (await plan(values)).plan];
    const preset = change(first, 'ConfigMap', 'preset-mesh-config');
    assert.equal(preset?.action, 'update');
    assert.match(JSON.stringify(preset?.after), /"uid\\": \\"\(a new uuidv4 at each render\)\\"/);
    assert.equal(planDigest(first), planDigest(second));
  });

  it("a replica count alone changes the Deployment without rolling its pods", async () => {
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 2\n');
    const controller = change(p, 'Deployment', 'fsm-controller');
    assert.deepEqual(controller?.fields.filter((f) => f.path.startsWith('spec.')).map((f) => f.path), ['spec.replicas']);
    assert.equal(controller?.rollout, undefined);
  });

  it("a Secret the chart renders is shown redacted: its data and stringData never in the plan", async () => {
    const { plan: p } = await plan('fsm:\n  flb:\n    password: flb-pass-7731\n');
    const secret = change(p, 'Secret', 'fsm-flb-secret');
    assert.equal(secret?.action, 'update');
    const shown = JSON.stringify(p) + renderText({ environments: [p] }, { color: false });
    assert.ok(!shown.includes(Buffer.from('flb-pass-7731').toString('base64')), 'the base64 of the password');
    assert.ok(!shown.includes(Buffer.from('admin').toString('base64')), "the chart's default password");
    assert.ok(!shown.includes('flb-pass-7731'));
    assert.match(JSON.stringify(secret?.after), /••••••/);
  });

  it('values equal to the deployed ones (meshName added as fsm install does): no helm call, no change', async () => {
    for (const values of ['fsm:\n  meshName: fsm\n', 'fsm: {}\n', 'fsm:\n  fsmController:\n    replicaCount: 1\n']) {
      const { plan: p, helm } = await plan(values);
      assert.deepEqual(helm.calls, [], values);
      assert.deepEqual(p.changes.filter((c) => c.action !== 'unchanged'), [], values);
    }
  });

  it("helm refusing the values by the deployed chart's schema is the values-schema rule's error at its line, not a second one from helm", async () => {
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: three\n');
    assert.deepEqual(withCode(p.findings, 'chart-render-failed'), [], 'helm said the same as the schema error below');
    const [finding] = withCode(p.findings, 'schema-type');
    assert.deepEqual([finding?.severity, finding?.file, finding?.line, finding?.path], ['error', 'clusters/staging/values.yaml', 3, 'fsm.fsmController.replicaCount']);
    // The pending notice does not promise what this plan cannot do.
    const notices = withCode(p.findings, 'values-upgrade-pending').map((f) => f.message);
    assert.ok(notices.length > 0);
    for (const notice of notices) assert.match(notice, /the chart could not be rendered with these values \(the errors of this plan say why\), so the plan cannot list what the upgrade changes/);
  });

  it("helm's schema refusal is kept where it names a place the values-schema rule does not report, and left out where the rule reports under it", async () => {
    const refusingAt = (at: string): RenderingHelm => ({
      template: async () => Promise.reject(new HelmError(`render chart for fsm-system/fsm: helm exited with 1: Error: values don't meet the specifications of the schema(s) in the following chart(s):\nfsm:\n- at '/fsm/fsmController/replicaCount': got string, want integer\n- at '${at}': OTHER-PROBLEM`, 1)),
      upgradeDryRun: async () => ({ manifest: '', revision: 2 }),
      pull: pulled,
    });
    const other = await plan('fsm:\n  fsmController:\n    replicaCount: three\n', '{ upgrade: true }', new CountingHelm(refusingAt('/fsm/image/registry')));
    assert.match(withCode(other.plan.findings, 'chart-render-failed')[0]?.message ?? '', /OTHER-PROBLEM/, 'a second problem helm found is not hidden');
    const under = await plan('fsm:\n  fsmController:\n    replicaCount: three\n', '{ upgrade: true }', new CountingHelm(refusingAt('/fsm/fsmController')));
    assert.deepEqual(withCode(under.plan.findings, 'chart-render-failed'), [], 'the rule reports fsm.fsmController.replicaCount, under the place helm names');
  });

  it("helm's schema refusal at a list item under a key with a dash (JSON pointer /fsm/pluginChains/inbound-tcp/0/priority) is the rule's error at that place, not a second one", async () => {
    const refusing: RenderingHelm = {
      template: async () => Promise.reject(new HelmError("render chart for fsm-system/fsm: helm exited with 1: Error: values don't meet the specifications of the schema(s) in the following chart(s):\nfsm:\n- at '/fsm/pluginChains/inbound-tcp/0/priority': got string, want number", 1)),
      upgradeDryRun: async () => ({ manifest: '', revision: 2 }),
      pull: pulled,
    };
    const values = 'fsm:\n  pluginChains:\n    inbound-tcp:\n      - plugin: modules/inbound-tls-termination\n        priority: high\n';
    const { plan: p } = await plan(values, '{ upgrade: true }', new CountingHelm(refusing));
    const [finding] = withCode(p.findings, 'schema-type');
    assert.deepEqual([finding?.line, finding?.path], [5, 'fsm.pluginChains.inbound-tcp[0].priority']);
    assert.deepEqual(withCode(p.findings, 'chart-render-failed'), [], 'helm names the same place as the rule');
  });

  it("helm's schema refusal naming a key helm quoted (a quote, a backslash, a tab: Go's escapes) is matched to the rule's error at that key; a refusal of the root is not explained by an error elsewhere", async () => {
    const withPorts = structuredClone(live);
    const schema = withPorts.helmRelease!.chartSchema as { properties: { fsm: { properties: Record<string, JsonObject> } } };
    schema.properties.fsm.properties['ports'] = { type: 'object', additionalProperties: { type: 'integer' } };
    const refusingAt = (pointer: string): RenderingHelm => ({
      template: async () => Promise.reject(new HelmError(`render chart for fsm-system/fsm: helm exited with 1: Error: values don't meet the specifications of the schema(s) in the following chart(s):\nfsm:\n- at '${pointer}': got string, want integer`, 1)),
      upgradeDryRun: async () => ({ manifest: '', revision: 2 }),
      pull: pulled,
    });
    // As helm 4.1 prints them (checked with the real helm and a chart with this schema).
    for (const [yamlKey, pointer] of [[`"it's"`, "/fsm/ports/it\\'s"], ['"a\\\\b"', '/fsm/ports/a\\\\b'], ['"tab\\there"', '/fsm/ports/tab\\there'], ['"nb\\u00a0sp"', '/fsm/ports/nb\\u00a0sp']]) {
      const { plan: p } = await plan(`fsm:\n  ports:\n    ${yamlKey}: x\n`, '{ upgrade: true }', new CountingHelm(refusingAt(pointer!)), withPorts);
      assert.equal(withCode(p.findings, 'schema-type').length, 1, yamlKey);
      assert.deepEqual(withCode(p.findings, 'chart-render-failed'), [], `${yamlKey}: helm names the same place as the rule`);
    }
    const { plan: root } = await plan('fsm:\n  ports:\n    a: x\n', '{ upgrade: true }', new CountingHelm(refusingAt('')), withPorts);
    assert.equal(withCode(root.findings, 'chart-render-failed').length, 1, 'the rule reports fsm.ports.a, not the root helm names');
  });

  it("helm refusing values that the deployed chart's schema takes (here, a stand-in helm) is a chart-render-failed error on values.yaml", async () => {
    const refusing: RenderingHelm = {
      template: async () => Promise.reject(new HelmError("render chart for fsm-system/fsm: helm exited with 1: Error: values don't meet the specifications of the schema(s) in the following chart(s):\nfsm:\n- at '/fsm/fsmController/replicaCount': maximum 3", 1)),
      upgradeDryRun: async () => ({ manifest: '', revision: 2 }),
      pull: pulled,
    };
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 9\n', '{ upgrade: true }', new CountingHelm(refusing));
    const [finding] = withCode(p.findings, 'chart-render-failed');
    assert.deepEqual([finding?.severity, finding?.file], ['error', 'clusters/staging/values.yaml']);
    assert.match(finding!.message, /maximum 3/);
  });

  it('a rendered manifest that is not Kubernetes objects is a chart-render-failed error, not a crash of the plan', async () => {
    const broken: RenderingHelm = { template: async () => 'kind: [\n', upgradeDryRun: async () => ({ manifest: '', revision: 2 }), pull: pulled };
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', '{ upgrade: true }', new CountingHelm(broken));
    assert.match(withCode(p.findings, 'chart-render-failed')[0]?.message ?? '', /the manifest rendered by helm template is not valid YAML/);
    assert.equal(change(p, 'Deployment', 'fsm-controller'), undefined);
  });

  it("a snapshot's cluster version outside the chart's kubeVersion is chart-kube-version: helm template is given --kube-version", async () => {
    const values = 'fsm:\n  fsmController:\n    replicaCount: 3\n';
    // FSM's chart 1.5.1 requires kubeVersion >= 1.19.0-0.
    const old = await plan(values, '{ upgrade: true }', new CountingHelm(), { ...live, kubeVersion: 'v1.18.3' });
    const [finding] = withCode(old.plan.findings, 'chart-kube-version');
    assert.equal(finding?.severity, 'error');
    assert.equal(finding?.file, CONFIG_FILE);
    assert.match(finding?.message ?? '', /^chart fsm 1\.5\.1 requires Kubernetes >= 1\.19\.0-0 \(its Chart\.yaml kubeVersion\) and the cluster runs v1\.18\.3 \(the version in examples\/cluster\/staging\.yaml\)/);
    assert.deepEqual(withCode(old.plan.findings, 'chart-render-failed'), [], 'its own finding, not the generic one');
    assert.equal(change(old.plan, 'Deployment', 'fsm-controller'), undefined);

    const current = await plan(values, '{ upgrade: true }', new CountingHelm(), { ...live, kubeVersion: 'v1.30.4-eks-a737599' });
    assert.deepEqual(current.plan.findings.filter((f) => f.code.startsWith('chart-')), []);
    assert.equal(change(current.plan, 'Deployment', 'fsm-controller')?.action, 'update');
  });

  it("live state read from an API server without its credential for helm (a fork's review): helm template renders for the server's version", async () => {
    const repo = new MemoryRepo({ [CONFIG_FILE]: config('{ upgrade: true }'), 'clusters/staging/values.yaml': 'fsm:\n  fsmController:\n    replicaCount: 3\n' });
    const desired = await loadEnvironment(repo, parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!).environments[0]!);
    const fromCluster: LiveState = { ...live, origin: 'cluster' };
    delete fromCluster.kubeVersion;
    // FSM's chart grants the controller EndpointSlices only on Kubernetes >= 1.21 (templates/fsm-rbac.yaml).
    const endpointSlices = async (cluster: ChartCluster) => {
      const rendered = await new ChartRenderer(() => new CountingHelm()).render(desired, fromCluster, cluster);
      assert.ok(rendered?.ok);
      assert.equal(rendered.via, 'helm template');
      return JSON.stringify(rendered.rendered.get([...rendered.rendered.keys()].find((k) => k.includes('ClusterRole') && !k.includes('Binding') && k.endsWith('/fsm'))!)).includes('discovery.k8s.io');
    };
    assert.equal(await endpointSlices({ serverVersion: async () => 'v1.20.2' }), false, 'the 1.20 cluster: no EndpointSlices rule');
    assert.equal(await endpointSlices({ serverVersion: async () => 'v1.30.4' }), true);
  });

  it('no helm where the plan runs is a chart-render-failed error naming the places tried, not a failed plan', async () => {
    const missing = new HelmClient(new HelmRunner({ redactor: new Redactor(), locate: () => Promise.reject(new HelmNotFoundError('no helm: FSM_GITOPS_HELM is unset, /opt/helm/helm is missing')) }), undefined);
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', '{ upgrade: true }', new CountingHelm(missing));
    assert.match(withCode(p.findings, 'chart-render-failed')[0]?.message ?? '', /no helm: FSM_GITOPS_HELM is unset/);
  });

  it('without chart.upgrade the values change stays plan-only and says how to enable upgrades; helm is not run', async () => {
    const { plan: p, helm } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', '');
    assert.deepEqual(helm.calls, []);
    const values = change(p, 'HelmValues', 'fsm');
    assert.equal(values?.action, 'update');
    assert.match(values?.pending ?? '', /chart: \{ upgrade: true \}/);
    assert.match(values?.pending ?? '', /deploy\/rbac-chart\.yaml .*docs\/deploy\.md, "Chart upgrades: the opt-in role"/);
    assert.equal(change(p, 'Deployment', 'fsm-controller'), undefined);
  });
});

describe('chart version bumps (chart.version against the deployed 1.5.1)', () => {
  /** Stands in for helm fetching a chart version from the repository: no network in unit tests. */
  const stored: RenderingHelm = {
    template: async () => live.helmRelease!.manifest,
    upgradeDryRun: async () => ({ manifest: live.helmRelease!.manifest, revision: 2 }),
    pull: pulled,
  };

  it('a downgrade is an error and nothing is rendered', async () => {
    const { plan: p, helm } = await plan('fsm: {}\n', '{ upgrade: true, version: 1.4.21 }', new CountingHelm(stored));
    assert.deepEqual(helm.calls, []);
    const [finding] = withCode(p.findings, 'chart-downgrade');
    assert.equal(finding?.severity, 'error');
    assert.equal(finding?.file, CONFIG_FILE);
    assert.match(finding?.message ?? '', /1\.4\.21 is older than the deployed chart fsm 1\.5\.1/);
  });

  it('a new major is refused unless allowBreaking: true', async () => {
    const refused = await plan('fsm: {}\n', '{ upgrade: true, version: 2.0.0 }', new CountingHelm(stored));
    assert.deepEqual(refused.helm.calls, []);
    assert.equal(withCode(refused.plan.findings, 'chart-breaking-upgrade')[0]?.severity, 'error');
    const allowed = await plan('fsm: {}\n', '{ upgrade: true, version: 2.0.0, allowBreaking: true }', new CountingHelm(stored));
    assert.deepEqual(withCode(allowed.plan.findings, 'chart-breaking-upgrade'), []);
    assert.deepEqual(allowed.helm.calls.length, 2);
    assert.equal(allowed.helm.calls[0], 'pull {"name":"fsm","repository":"https://flomesh-io.github.io/fsm","version":"2.0.0"}');
    assert.match(allowed.helm.calls[1]!, /^template \{"path":".*fsm-gitops-chart-[^"]*\/chart\.tgz"\}$/, 'rendered from the archive pulled');
  });

  it('a minor bump from 1.5 is compatible: rendered from the repository, no finding', async () => {
    const { plan: p, helm } = await plan('fsm: {}\n', '{ upgrade: true, version: 1.6.0, repository: "http://127.0.0.1:8879" }', new CountingHelm(stored));
    assert.equal(helm.calls.length, 2);
    assert.equal(helm.calls[0], 'pull {"name":"fsm","repository":"http://127.0.0.1:8879","version":"1.6.0"}');
    assert.match(helm.calls[1]!, /^template \{"path":".*fsm-gitops-chart-[^"]*\/chart\.tgz"\}$/, 'rendered from the archive pulled');
    assert.deepEqual(p.findings.filter((f) => f.code.startsWith('chart-')), []);
    const release = p.changes.find((c) => c.kind === 'HelmRelease');
    assert.deepEqual(
      [release?.action, release?.namespace, release?.name, release?.file, release?.line, release?.fields],
      ['update', 'fsm-system', 'fsm', CONFIG_FILE, 7, [{ path: 'chart', before: 'fsm-1.5.1', after: 'fsm-1.6.0' }, { path: 'digest', after: `sha256:${(await pulled({ name: 'fsm', repository: '', version: '1.6.0' })).sha256}` }]],
      'the bump is a change of its own, at the chart.version line, naming the archive pulled',
    );
    assert.match(renderText({ environments: [p] }, { color: false }), /\+digest: sha256:[0-9a-f]{64}\n/, 'the digest is shown whole, not masked');
    assert.equal(describeDifference(release!), 'update HelmRelease fsm-system/fsm (chart fsm-1.5.1 → fsm-1.6.0)', '/fsm status names the versions');
    assert.match(renderText({ environments: [p] }, { color: false }), /~ HelmRelease fsm-system\/fsm/);
    assert.match(renderCheckRun(p).text, /#### update HelmRelease fsm-system\/fsm\n\n```diff\n(?:.*\n)*-chart: fsm-1\.5\.1\n\+chart: fsm-1\.6\.0\n/, 'the check run\'s diff names both versions');
  });

  it("a pulled chart.version that renders no objects: the notice names that version, not the deployed release's chart", async () => {
    const empty: RenderingHelm = { ...stored, template: async () => '' };
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 3\n', '{ upgrade: true, version: 1.6.0, repository: "http://127.0.0.1:8879" }', new CountingHelm(empty));
    const [notice] = withCode(p.findings, 'values-upgrade-pending');
    const deletes = p.changes.filter((c) => c.action === 'delete' && c.kind !== 'HelmValues').length;
    assert.ok(deletes > 0, 'what the release has now is removed by the upgrade');
    assert.match(notice!.message, new RegExp(`chart version 1\\.6\\.0 \\(chart\\.version, from chart\\.repository\\) rendered no objects with these values, so the upgrade removes all ${deletes} objects the release has now \\(the plan lists them as deletes\\)`));
    assert.doesNotMatch(notice!.message, /deployed release's chart|lists none/);
  });

  it('a version the repository does not have is chart-render-failed at chart.version, saying it could not be fetched: not at values.yaml', async () => {
    const missing: RenderingHelm = { ...stored, pull: async () => Promise.reject(new HelmError('pull chart fsm 1.6.9 from http://127.0.0.1:8879: helm exited with 1: Error: chart "fsm" version "1.6.9" not found in http://127.0.0.1:8879 repository', 1)) };
    const { plan: p, helm } = await plan('fsm: {}\n', '{ upgrade: true, version: 1.6.9, repository: "http://127.0.0.1:8879" }', new CountingHelm(missing));
    assert.deepEqual(helm.calls, ['pull {"name":"fsm","repository":"http://127.0.0.1:8879","version":"1.6.9"}'], 'nothing rendered');
    const [finding] = withCode(p.findings, 'chart-render-failed');
    assert.deepEqual([finding?.severity, finding?.file, finding?.line], ['error', CONFIG_FILE, 7]);
    assert.match(finding!.message, /^chart fsm 1\.6\.9 could not be fetched from http:\/\/127\.0\.0\.1:8879: .*version "1\.6\.9" not found.*; check environments\.staging\.chart\.version and chart\.repository$/);
    // The bump asked for is still shown, pending, so the plan does not read "No changes".
    const bump = change(p, 'HelmRelease', 'fsm');
    assert.deepEqual([bump?.action, bump?.fields], ['update', [{ path: 'chart', before: 'fsm-1.5.1', after: 'fsm-1.6.9' }]]);
    assert.match(bump?.pending ?? '', /^apply does not upgrade the chart with this plan: the findings say why/);
    assert.doesNotMatch(renderText({ environments: [p] }, { color: false }), /No changes/);
  });

  it('without a version bump there is no HelmRelease change', async () => {
    const { plan: p } = await plan('fsm:\n  fsmController:\n    replicaCount: 2\n');
    assert.deepEqual(p.changes.filter((c) => c.kind === 'HelmRelease'), []);
    assert.ok(p.changes.filter((c) => c.kind === 'Deployment').every((c) => c.file === 'clusters/staging/values.yaml'), 'the objects are values.yaml\'s');
  });
});

describe('a release an earlier helm left mid-operation or failed (the newest revision)', () => {
  const latest = (status: string) => ({ revision: 2, status });
  const withLatest = async (status: string, values: string) => {
    live.helmReleaseLatest = latest(status);
    try {
      return await plan(values);
    } finally {
      delete live.helmReleaseLatest;
    }
  };

  it('pending-upgrade: an error naming the rollback that clears it when the plan needs an upgrade, which helm would refuse; nothing rendered', async () => {
    const { plan: p, helm } = await withLatest('pending-upgrade', 'fsm:\n  fsmController:\n    replicaCount: 3\n');
    assert.deepEqual(helm.calls, []);
    const [finding] = withCode(p.findings, 'chart-release-pending');
    assert.equal(finding?.severity, 'error');
    assert.match(finding?.message ?? '', /revision 2 is pending-upgrade/);
    assert.match(finding?.message ?? '', /`helm rollback fsm 1 -n fsm-system`/);
    assert.match(change(p, 'HelmValues', 'fsm')?.pending ?? '', /does not upgrade the chart with this plan/);
  });

  it('pending-rollback with values equal to the deployed ones: a warning (nothing to upgrade, the objects may still be applied)', async () => {
    const { plan: p } = await withLatest('pending-rollback', 'fsm: {}\n');
    assert.equal(withCode(p.findings, 'chart-release-pending')[0]?.severity, 'warning');
  });

  it('failed: a warning, and the upgrade is rendered from the deployed revision as helm runs it', async () => {
    const { plan: p, helm } = await withLatest('failed', 'fsm:\n  fsmController:\n    replicaCount: 3\n');
    assert.equal(helm.calls.length, 1);
    const [finding] = withCode(p.findings, 'chart-release-failed');
    assert.equal(finding?.severity, 'warning');
    assert.match(finding?.message ?? '', /revision 2 failed; revision 1 is the one deployed/);
    assert.deepEqual(withCode(p.findings, 'chart-release-pending'), []);
  });

  it('deployed or superseded newest revisions say nothing', async () => {
    for (const status of ['deployed', 'superseded']) {
      const { plan: p } = await withLatest(status, 'fsm: {}\n');
      assert.deepEqual(p.findings.filter((f) => f.code.startsWith('chart-release')), [], status);
    }
  });
});
