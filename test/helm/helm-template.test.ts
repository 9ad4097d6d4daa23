import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmError, HelmRunner } from '../../src/helm/helm-runner.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { deploymentReplicas, fsmChart } from '../support/helm-charts.ts';

const CHART = fsmChart('1.5.1');
const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
// The real helm (FSM_GITOPS_HELM, PATH, or the pinned package's, extracted to the cache), no cluster.
const helm = new HelmClient(new HelmRunner({ redactor: new Redactor() }), undefined);

test("the real helm renders FSM's chart with the values given", async () => {
  const manifest = await helm.template(RELEASE, CHART, { fsm: { fsmController: { replicaCount: 3 } } }, { timeoutMs: 60_000, kubeVersion: 'v1.30.4' });
  assert.equal(deploymentReplicas(manifest, 'fsm-controller'), 3);
  assert.equal(deploymentReplicas(manifest, 'fsm-injector'), 1);
  assert.deepEqual(new Set(manifest.match(/^  namespace: .*$/gm)), new Set(['  namespace: fsm-system']));
});

test("a value the chart's values.schema.json refuses is a HelmError quoting helm", async () => {
  await assert.rejects(helm.template(RELEASE, CHART, { fsm: { fsmController: { replicaCount: 'three' } } }, { timeoutMs: 60_000 }), (error: Error) => {
    assert.ok(error instanceof HelmError, String(error));
    assert.match(error.message, /^render chart for fsm-system\/fsm: helm exited with 1: .*replicaCount/s);
    return true;
  });
});
