/**
 * The app's review of a chart upgrade, against the real kube-apiserver 1.20 with FSM's chart installed by the
 * real helm (as chart-apply.cluster-test.ts does) and the GitHub fake: a rollout wait the policy asks for
 * (chart.wait.timeoutSeconds) longer than an apply by this app could give it is a warning on the check run,
 * at the environment in .github/fsm-gitops.yml, before anyone merges (src/github/chart-wait-budget.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nock from 'nock';
import { ClusterConnector } from '../../src/kube/credentials/cluster-credentials.ts';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { LiveSources } from '../../src/workflow/live-sources.ts';
import { deliver, exampleRepoFiles, testProbot } from '../github/app-harness.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { exampleClusterObjects } from '../support/plan-fixture.ts';
import { GitHubWorld, type Files } from '../support/github-world.ts';
import { seed, startCluster, stopCluster } from '../support/kube-test-cluster.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';

const VALUES = 'clusters/staging/values.yaml';
const config = (waitSeconds: number) => `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    namespaces: [bookinfo]
    deploy: on-merge
    chart: { upgrade: true, wait: { timeoutSeconds: ${waitSeconds} } }
`;
const files = (waitSeconds: number, replicas: number): Files => ({ ...exampleRepoFiles(), '.github/fsm-gitops.yml': config(waitSeconds), [VALUES]: `fsm:\n  fsmController:\n    replicaCount: ${replicas}\n` });

let kubeconfig: string;

before(async () => {
  kubeconfig = startCluster();
  const client = KubeClient.fromFile(kubeconfig);
  await seed(client, exampleClusterObjects('staging').filter((o) => ['CustomResourceDefinition', 'Namespace', 'MeshConfig'].includes(o.kind)));
  const helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), await client.connection(), { serverSide: 'false' });
  await helm.install({ name: 'fsm', namespace: 'fsm-system' }, fsmChart('1.5.1'), { fsm: { meshName: 'fsm' } }, { timeoutMs: 120_000, noHooks: true });
  process.env['FSM_GITOPS_HELM_SERVER_SIDE'] = 'false';
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
after(() => {
  delete process.env['FSM_GITOPS_HELM_SERVER_SIDE'];
  nock.cleanAll();
  nock.enableNetConnect();
  stopCluster(kubeconfig);
});

/** Reviews a pull request raising the controller's replicas under a default branch asking for this rollout wait; returns its check run. */
async function review(waitSeconds: number, fork = false) {
  const head = '7'.repeat(40);
  nock.cleanAll(); // a world per review: the last one's interceptors would answer this one's requests
  const github = new GitHubWorld({ base: files(waitSeconds, 1), baseSha: 'c'.repeat(40), collaborators: { author: 'write' } });
  github.addCommit(head, files(waitSeconds, 2));
  github.addPull({ number: 7, headSha: head, changed: [VALUES], ...(fork ? { headRepo: 'mallory/mesh-config' } : {}) });
  const probot = testProbot(new LiveSources(new ClusterConnector({ staging: { kubeconfigFile: kubeconfig } })));
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number: 7, headSha: head, fork }));
  const [run, ...others] = github.checkRuns;
  assert.equal(others.length, 0);
  return run!;
}

test('a rollout wait longer than an apply by the app can give is a warning at the environment, with the time it would get', async () => {
  const run = await review(3600);
  assert.equal(run.conclusion, 'success', run.output?.summary);
  assert.match(run.output?.text ?? '', /Deployment fsm-system\/fsm-controller/, 'the plan holds the chart upgrade');
  const cut = run.annotations.filter((a) => a.title?.startsWith('chart-wait-cut'));
  assert.equal(cut.length, 1, JSON.stringify(run.annotations.map((a) => a.title)));
  assert.deepEqual([cut[0]!.path, cut[0]!.start_line, cut[0]!.annotation_level], ['.github/fsm-gitops.yml', 8, 'warning'], 'at the chart: line that sets the wait');
  // npm start's (and this test's) event has 480 s: its plan, helm's writes and the objects' reserve leave about 420 s.
  const seconds = Number(/can wait about (\d+) s for the rollout/.exec(cut[0]!.message)?.[1]);
  assert.ok(seconds > 300 && seconds <= 420, cut[0]!.message);
});

test('a rollout wait that fits gives no warning', async () => {
  const run = await review(300);
  assert.match(run.output?.text ?? '', /Deployment fsm-system\/fsm-controller/, 'the plan holds the chart upgrade');
  assert.deepEqual(run.annotations.filter((a) => a.title?.startsWith('chart-wait-cut')), []);
});

test("a fork's review renders the chart with helm template for the cluster's version, as the apply would render it", async () => {
  const run = await review(300, true);
  assert.match(run.output?.text ?? '', /Deployment fsm-system\/fsm-controller/, 'the plan holds the chart upgrade');
  // FSM's chart adds EndpointSlices to the controller's ClusterRole on Kubernetes >= 1.21 only; this cluster is 1.20.
  assert.doesNotMatch(run.output?.text ?? '', /ClusterRole fsm|discovery\.k8s\.io/);
});
