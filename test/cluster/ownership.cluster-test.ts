/**
 * Ownership is never granted by fsm-gitops's own write (issue 9), on a real API server: an object someone
 * else created with a repository name is refused (plan and apply exit 1, the object untouched), adopted only
 * with the fsm-gitops.io/adopt annotation, and a lookalike that was never adopted is never pruned. Two
 * environments on one cluster naming the same cluster-scoped Plugin: the second is refused unless it names
 * the first in its annotation.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isObject, type JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { create, startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';

let kubeconfig: string;
let client: KubeClient;
let repo: string;
let cleanup: () => Promise<void>;

const OURS = (environment: string): Record<string, string> => ({ 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': environment });

/** A Plugin manifest as the repository holds it. */
function pluginYaml(name: string, priority: number, annotations: Record<string, string> = {}): string {
  const annotated = Object.keys(annotations).length === 0 ? '' : `  annotations:\n${Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"\n`).join('')}`;
  return `apiVersion: plugin.flomesh.io/v1alpha1
kind: Plugin
metadata:
  name: ${name}
${annotated}spec:
  priority: ${priority}
  pipyscript: |
    pipy().pipeline().handleMessageStart(() => console.log('${name}')).chain()
`;
}

const readPlugin = (name: string): Promise<JsonObject | undefined> => client.get(`/apis/plugin.flomesh.io/v1alpha1/plugins/${name}`, `read Plugin ${name}`);
const labelsOf = (object: JsonObject | undefined): unknown => (isObject(object?.['metadata']) ? object['metadata']['labels'] : undefined);
const staging = (command: 'plan' | 'apply', env = 'staging') => cli([command, '--repo', repo, '--env', env, '--kubeconfig', kubeconfig, ...serves(env), ...(command === 'apply' ? ['--yes', '--commit', `c-${Date.now()}`] : [])]);
const put = (path: string, text: string) => mkdir(join(repo, path, '..'), { recursive: true }).then(() => writeFile(join(repo, path), text));

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  ({ repo, cleanup } = await copyExampleRepo());
  // A second team's Plugin, made the way `kubectl apply` makes it. (The seeded team-authz is another.)
  const lookalike: KubeObject = {
    apiVersion: 'plugin.flomesh.io/v1alpha1',
    kind: 'Plugin',
    metadata: { name: 'team-audit', labels: { team: 'audit' } },
    spec: { priority: 120, pipyscript: "pipy().pipeline().handleMessageStart(() => console.log('audit')).chain()\n" },
  };
  await create(client, lookalike, 'kubectl-client-side-apply');
});
after(async () => {
  await cleanup?.();
  stopCluster(kubeconfig);
});

describe('ownership on a real API server', { concurrency: false }, () => {
  test('objects someone else created with repository names: plan and apply exit 1 with not-owned, and nothing is written', async () => {
    await put('clusters/staging/plugins/team-authz.yaml', pluginYaml('team-authz', 200));
    await put('clusters/staging/plugins/team-audit.yaml', pluginYaml('team-audit', 201));
    const [authzBefore, auditBefore] = [await readPlugin('team-authz'), await readPlugin('team-audit')];

    const plan = await staging('plan');
    assert.equal(plan.code, 1, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /error \[not-owned\] clusters\/staging\/plugins\/team-authz\.yaml:4:3 metadata\.name\n\s+Plugin team-authz exists in the cluster, not created by fsm-gitops/);
    assert.match(plan.stdout, /Plugin team-audit exists in the cluster, not created by fsm-gitops \(labelled|managed by kubectl-client-side-apply/);
    assert.match(plan.stdout, /fsm-gitops\.io\/adopt: "true"/);

    const apply = await staging('apply');
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    assert.match(apply.stderr, /not applied: the plan has errors/);
    assert.deepEqual(await readPlugin('team-authz'), authzBefore, 'team-authz is untouched: labels, spec, resourceVersion');
    assert.deepEqual(await readPlugin('team-audit'), auditBefore, 'team-audit is untouched');
    assert.equal(await readPlugin('cors-policy'), undefined, 'nothing of the refused plan was applied');
  });

  test('adopted with the annotation, it applies and carries our labels; a dropped lookalike that was never adopted is not pruned', async () => {
    await put('clusters/staging/plugins/team-authz.yaml', pluginYaml('team-authz', 200, { 'fsm-gitops.io/adopt': 'true' }));
    await rm(join(repo, 'clusters/staging/plugins/team-audit.yaml'));
    const auditBefore = await readPlugin('team-audit');

    const plan = await staging('plan');
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /warning \[adopt\] clusters\/staging\/plugins\/team-authz\.yaml:4:3 metadata\.name\n\s+Plugin team-authz exists in the cluster, not created by fsm-gitops .*this apply adopts it/);
    assert.doesNotMatch(plan.stdout, /not-owned/);

    const apply = await staging('apply');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /update Plugin team-authz/);
    const adopted = await readPlugin('team-authz');
    assert.deepEqual(labelsOf(adopted), OURS('staging'));
    assert.equal((adopted?.['spec'] as { priority: number }).priority, 200);
    assert.equal((adopted?.['metadata'] as { annotations: Record<string, string> }).annotations['fsm-gitops.io/adopt'], 'true', 'the annotation is kept');
    assert.deepEqual(await readPlugin('team-audit'), auditBefore, 'the never-adopted lookalike is not pruned, nor touched');
    assert.doesNotMatch(apply.stdout, /delete Plugin team-audit/);
  });

  test('once adopted, dropping it from the repository prunes it; the lookalike still stays', async () => {
    await rm(join(repo, 'clusters/staging/plugins/team-authz.yaml'));
    const apply = await staging('apply');
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.match(apply.stdout, /delete Plugin team-authz/);
    assert.equal(await readPlugin('team-authz'), undefined);
    assert.ok(await readPlugin('team-audit'));
  });

  test("two environments on one cluster name the same Plugin: the second is refused unless it names the first's environment", async () => {
    const config = `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    namespaces: [bookinfo, payments]
  canary:
    path: clusters/canary
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    namespaces: [bookinfo]
`;
    await writeFile(join(repo, '.github/fsm-gitops.yml'), config);
    assert.deepEqual(labelsOf(await readPlugin('cors-policy')), OURS('staging'), "staging's apply created cors-policy");
    const corsBefore = await readPlugin('cors-policy');

    await put('clusters/canary/cors-policy.yaml', pluginYaml('cors-policy', 90));
    const refused = await staging('apply', 'canary');
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stdout, /error \[not-owned\] clusters\/canary\/cors-policy\.yaml:4:3 metadata\.name\n\s+Plugin cors-policy exists in the cluster, owned by fsm-gitops environment staging: applying would take it from that environment/);
    assert.match(refused.stdout, /fsm-gitops\.io\/adopt: "from-environment:staging"/);

    await put('clusters/canary/cors-policy.yaml', pluginYaml('cors-policy', 90, { 'fsm-gitops.io/adopt': 'true' }));
    const stillRefused = await staging('plan', 'canary');
    assert.equal(stillRefused.code, 1, '"true" does not take an object from another environment');
    assert.match(stillRefused.stdout, /\[not-owned\]/);
    assert.deepEqual(await readPlugin('cors-policy'), corsBefore, "staging's Plugin is untouched");

    await put('clusters/canary/cors-policy.yaml', pluginYaml('cors-policy', 90, { 'fsm-gitops.io/adopt': 'from-environment:staging' }));
    const moved = await staging('apply', 'canary');
    assert.equal(moved.code, 0, moved.stdout + moved.stderr);
    assert.match(moved.stdout, /warning \[adopt\].*\n.*environment staging no longer manages or prunes it/);
    assert.deepEqual(labelsOf(await readPlugin('cors-policy')), OURS('canary'));

    const back = await staging('plan', 'staging');
    assert.equal(back.code, 1);
    assert.match(back.stdout, /Plugin cors-policy exists in the cluster, owned by fsm-gitops environment canary/);
  });
});
