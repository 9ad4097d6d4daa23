/**
 * `npm run try-cluster [-- RUN_DIR]`: a real Kubernetes API server on loopback to try `plan` and `apply` against by
 * hand, loaded with the example staging cluster (examples/cluster/staging.yaml: FSM's CRDs, its MeshConfig, the meshed
 * workloads, a Plugin and a PluginChain an earlier apply left, and a Plugin made with kubectl) and FSM's real chart installed by the real helm as the release
 * the snapshot describes (seedExampleCluster), so a chart upgrade can be planned and applied. scripts/kube-test-cluster builds the API
 * server once (a few minutes, then cached) and starts it; it keeps running after this script ends, until stopped
 * with the command printed at the end. RUN_DIR (default: a new folder in the temp folder) must be new or empty.
 */
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../src/kube/kube-client.ts';
import { seedExampleCluster } from '../test/support/fsm-chart-cluster.ts';

const scripts = fileURLToPath(new URL('./kube-test-cluster/', import.meta.url));
const runDir = process.argv[2];

execFileSync(`${scripts}setup`, [], { stdio: 'inherit' });
let started: string;
try {
  started = execFileSync(`${scripts}start`, runDir ? [runDir] : [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBE_TEST_CLUSTER_WATCH_PID: '' } });
} catch {
  // The start script said what went wrong on stderr: add the way out, not a stack trace.
  const hint = runDir ? `\nA cluster may already run in ${runDir}: stop it with ${scripts}stop ${runDir}, or pass another folder.` : '';
  console.error(`try-cluster: the API server did not start (see above).${hint}`);
  process.exit(1);
}
const kubeconfig = /^KUBECONFIG=(.+)$/m.exec(started)?.[1];
if (!kubeconfig) throw new Error(`scripts/kube-test-cluster/start printed no KUBECONFIG line:\n${started}`);
const runFolder = dirname(kubeconfig);
try {
  const client = KubeClient.fromFile(kubeconfig);
  console.log('Loading the example staging cluster, and installing FSM\'s chart with helm (revisions 1 and 2)...');
  await seedExampleCluster(client, 'staging');
  client.close();
} catch (error) {
  execFileSync(`${scripts}stop`, [runFolder], { stdio: 'inherit' });
  throw error;
}
console.log(`
The example staging cluster runs; its kubeconfig context is "kube-test-cluster", which serves environment
staging of examples/gitops by --context staging=kube-test-cluster (the context is not named after the
environment's cluster: "staging").

  npx fsm-gitops plan  --repo examples/gitops --env staging --kubeconfig ${kubeconfig} --context staging=kube-test-cluster
  npx fsm-gitops apply --repo examples/gitops --env staging --kubeconfig ${kubeconfig} --context staging=kube-test-cluster

To try a chart upgrade too: copy examples/gitops, set \`chart: { upgrade: true, wait: { timeoutSeconds: 0 } }\`
for staging in the copy's .github/fsm-gitops.yml, and plan the copy (docs/getting-started.md says why no wait).

To point the GitHub App (npm start) at it, as the cluster "staging" the config names (docs/clusters.md):
  FSM_GITOPS_CLUSTERS='{"clusters":{"staging":{"kubeconfigFile":"${kubeconfig}","context":"kube-test-cluster"}}}'
The example deploys staging on merge; to try \`/fsm apply staging\`, set \`deploy: on-command\` for staging in
the repository's .github/fsm-gitops.yml on its default branch (docs/configuration.md). Production's cluster,
prod-eu-1, is not served here: the app says it has no credentials for it. This cluster's kubeconfig is an
administrator's, so deploy/rbac.yaml need not be applied to try it.

Stop it with:
  ${scripts}stop ${runFolder}
`);
