import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Claims } from '../../src/deploy/claims.ts';
import { Pins } from '../../src/deploy/pins.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { applyRbacFile, serviceAccountKubeconfig } from '../support/service-account.ts';

let kubeconfig: string;
let restricted: string;
let admin: KubeClient;

before(async () => {
  ({ kubeconfig, client: admin } = await startSeededCluster());
  await applyRbacFile(admin, 'deploy/rbac.yaml');
  restricted = await serviceAccountKubeconfig(admin, kubeconfig);
});
after(() => stopCluster(kubeconfig));

test('plan works with only the permissions of deploy/rbac.yaml', async () => {
  const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves()]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Plan: 3 to create, 1 to update, 2 to delete, 1 pending/);
  assert.doesNotMatch(run.stdout, /destination-ref/, 'cors-config names Service bookinfo/productpage, which the cluster has');
});

test('apply works with only those permissions, and a second plan is clean', async () => {
  const run = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves(), '--yes', '--commit', 'rbac-test']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Applied 6 changes to staging/);
  const again = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', restricted, ...serves(), '--yes']);
  assert.match(again.stdout, /nothing to apply/);
});

test('the GitHub App\'s claims and pins work with only those permissions', async () => {
  const client = KubeClient.fromFile(restricted);
  const claims = new Claims(client, 'fsm-system');
  const claim = { repository: 'acme/mesh-config', pr: 7, headSha: 'a'.repeat(40), actor: 'alice', since: '2026-11-30T12:00:00Z' };
  assert.deepEqual(await claims.take('staging', claim), { taken: true });
  assert.deepEqual(await claims.take('staging', { ...claim, pr: 8 }), { taken: false, holder: claim });
  assert.deepEqual(await claims.release('staging', claim), claim);
  const pins = new Pins(client, 'fsm-system');
  await pins.pin('staging', { sha: 'b'.repeat(40), deployment: 1, actor: 'alice', since: '2026-11-30T12:00:00Z' });
  assert.equal((await pins.unpin('staging'))?.sha, 'b'.repeat(40));
});

test('the identity cannot read Secrets one by one, nor touch other kinds', async () => {
  const client = KubeClient.fromFile(restricted, undefined, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(client.request({ method: 'GET', path: '/api/v1/namespaces/fsm-system/secrets/sh.helm.release.v1.fsm.v2', what: 'get secret' }), /forbidden/i);
  await assert.rejects(client.request({ method: 'GET', path: '/api/v1/namespaces/bookinfo/configmaps', what: 'list configmaps' }), /forbidden/i);
});

/** A plan, as JSON, of the example repository with cors-config's destinationRef naming Service `name`, and one more reference per `more` (`namespace/name`). */
async function planNamingService(name: string, more: string[] = []): Promise<{ code: number; stderr: string; findings: { code: string; severity: string; path: string; message: string }[] }> {
  const { repo, cleanup } = await copyExampleRepo();
  try {
    const file = join(repo, 'clusters/staging/plugins/cors.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('    name: productpage\n', `    name: ${name}\n`).replace('  config:\n', `${more.map((ref) => `  - kind: Service\n    name: ${ref.split('/')[1]}\n    namespace: ${ref.split('/')[0]}\n`).join('')}  config:\n`));
    const run = await cli(['plan', '--repo', repo, '--env', 'staging', '--kubeconfig', restricted, ...serves(), '--format', 'json']);
    const plan = JSON.parse(run.stdout || '{"environments":[{"findings":[]}]}') as { environments: { findings: { code: string; severity: string; path: string; message: string }[] }[] };
    return { code: run.code, stderr: run.stderr, findings: plan.environments[0]!.findings.filter((f) => f.code.startsWith('destination-ref')) };
  } finally {
    await cleanup();
  }
}

test('a destinationRef naming a Service the cluster lacks is a warning naming the nearest one; namespaces whose Services the role cannot list, one notice naming them', async () => {
  const missing = await planNamingService('productpgae');
  assert.equal(missing.code, 0, missing.stderr);
  assert.deepEqual(missing.findings.map((f) => [f.code, f.severity, f.path]), [['destination-ref-missing', 'warning', 'spec.destinationRefs[0].name']]);
  assert.equal(missing.findings[0]!.message, 'the cluster has no Service "productpgae" in namespace "bookinfo" (did you mean "productpage"?): this reference does nothing until that Service exists');
  // A role from before the check: the Services rule taken out of the ClusterRole.
  const path = '/apis/rbac.authorization.k8s.io/v1/clusterroles/fsm-gitops';
  const role = await admin.request<{ rules: { resources?: string[] }[] }>({ method: 'GET', path, what: 'read the role' });
  const rules = role.rules.filter((rule) => !rule.resources?.includes('services'));
  assert.equal(rules.length, role.rules.length - 1);
  await admin.request({ method: 'PUT', path, body: { ...role, rules }, what: 'drop services from the role' });
  const unchecked = await planNamingService('productpgae');
  assert.equal(unchecked.code, 0, unchecked.stderr);
  assert.deepEqual(unchecked.findings.map((f) => [f.code, f.severity, f.path]), [['destination-refs-unchecked', 'notice', 'spec.destinationRefs[0]']]);
  assert.match(unchecked.findings[0]!.message, /^the Services of a namespace could not be listed \(namespace "bookinfo": https:\/\/\S+ refused to list them \(403 Forbidden: deploy\/rbac\.yaml grants list on services\)\), so whether the Service a PluginConfig destinationRef names there exists was not checked/);
  // list on services granted in bookinfo only: bookinfo's references are checked, payments's said unchecked.
  await admin.request({ method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/bookinfo/roles', body: { metadata: { name: 'list-services' }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['list'] }] }, what: 'create a Role' });
  await admin.request({ method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/bookinfo/rolebindings', body: { metadata: { name: 'list-services' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'list-services' }, subjects: [{ kind: 'ServiceAccount', name: 'fsm-gitops', namespace: 'fsm-system' }] }, what: 'bind the Role' });
  const partly = await planNamingService('productpgae', ['payments/api', 'payments/api']);
  assert.equal(partly.code, 0, partly.stderr);
  assert.deepEqual(partly.findings.map((f) => [f.code, f.severity, f.path]), [['destination-ref-missing', 'warning', 'spec.destinationRefs[0].name'], ['destination-refs-unchecked', 'notice', 'spec.destinationRefs[1]']]);
  assert.match(partly.findings[1]!.message, /^the Services of a namespace could not be listed \(namespace "payments": .*403 Forbidden.*\), so whether the Service a PluginConfig destinationRef names there exists was not checked/);
});
