import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import type { JsonObject } from '../../src/core/json.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { MASK } from '../../src/redact/mask.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderJson } from '../../src/render/json.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderText } from '../../src/render/text.ts';
import { ENABLE_PLUGINS, pluginConfigYaml } from '../support/manifests.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';
import { exampleLiveState, meshConfigYaml, planFiles } from '../support/plan-fixture.ts';

/** Each shape of credential, as the repository writes it under a key that says nothing. */
const SHAPES = CREDENTIAL_SHAPES;

/** Every output format a plan leaves the process in. */
const RENDERERS: { format: string; render(plan: EnvironmentPlan): string }[] = [
  { format: 'text', render: (plan) => renderText({ environments: [plan] }, { color: false }) },
  { format: 'Markdown (PR comment, drift issue)', render: (plan) => renderMarkdown({ environments: [plan] }) },
  { format: 'JSON', render: (plan) => renderJson({ environments: [plan] }) },
  { format: 'check run', render: (plan) => JSON.stringify(renderCheckRun(plan, [])) },
];

function assertRedacted(output: string, secret: string, where: string): void {
  assert.ok(!output.includes(secret), `${where}: the secret is printed`);
  assert.ok(output.includes(MASK), `${where}: no mask shown`);
}

for (const { shape, value, secret } of SHAPES) {
  test(`a ${shape} in a PluginConfig is masked in every format`, async () => {
    const config = dump({ upstream: value, headers: [{ name: 'X-Trace', value: 'on' }] });
    const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cfg.yaml': pluginConfigYaml('shapes', { config }) });
    for (const { format, render } of RENDERERS) assertRedacted(render(plan), secret, `${shape} / ${format}`);
  });
}

test('key names: a header pair, Matches[].Headers.Exact.Authorization and a password are masked in every format; allowCredentials: true is shown', async () => {
  const config = dump({
    allowCredentials: true,
    headers: [{ Name: 'Authorization', Value: 'pairvalue-1' }],
    Matches: [{ Headers: { Exact: { Authorization: 'exactvalue-2' } } }],
    pwd: 'pwdvalue-3',
  });
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cfg.yaml': pluginConfigYaml('keys', { config }) });
  for (const { format, render } of RENDERERS) {
    const output = render(plan);
    for (const secret of ['pairvalue-1', 'exactvalue-2', 'pwdvalue-3']) assertRedacted(output, secret, `${secret} / ${format}`);
    if (format !== 'check run') assert.match(output, /allowCredentials"?: true/, format);
  }
});

test("the live MeshConfig's remoteLogging.authorization is masked where it is diff context, in every format", async () => {
  const live = exampleLiveState('staging', (objects) => {
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig')!;
    const spec = meshConfig['spec'] as JsonObject;
    spec['observability'] = { ...(spec['observability'] as JsonObject), remoteLogging: { enable: true, address: 'logs.example.com', authorization: 'liveauth-4' } };
    return objects;
  });
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('observability:\n  remoteLogging:\n    address: logs2.example.com') }, { live });
  for (const { format, render } of RENDERERS) {
    // JSON carries only the changed fields: the unchanged credential is not in it at all.
    if (format === 'JSON') assert.ok(!render(plan).includes('liveauth-4'), 'JSON: the secret is printed');
    else assertRedacted(render(plan), 'liveauth-4', format);
  }
});

test("the chart's fsm.remoteLogging.authorization, deployed and in values.yaml, is masked in the values diff in every format", async () => {
  const live = exampleLiveState();
  const deployed = live.helmRelease!.config;
  (deployed['fsm'] as JsonObject)['remoteLogging'] = { enable: true, authorization: 'chartauth-old' };
  const wanted = structuredClone(deployed);
  (wanted['fsm'] as JsonObject)['remoteLogging'] = { enable: true, authorization: 'chartauth-new' };
  const plan = await planFiles({ 'values.yaml': dump(wanted) }, { live });
  assert.ok(plan.changes.some((c) => c.kind === 'HelmValues' && c.action === 'update'), 'a changed credential is still a change');
  for (const { format, render } of RENDERERS) {
    const output = render(plan);
    for (const secret of ['chartauth-old', 'chartauth-new']) assertRedacted(output, secret, `${secret} / ${format}`);
  }
});

test('a drift finding on a credential names the field but prints neither the live nor the repository value', async () => {
  const fields = (spec: JsonObject): JsonObject => ({ 'f:spec': { '.': {}, ...spec } });
  const live = exampleLiveState('staging', (objects) => {
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig')!;
    meshConfig.metadata['creationTimestamp'] = '2026-12-01T04:47:34Z';
    meshConfig.metadata['managedFields'] = [
      { manager: 'fsm-gitops', operation: 'Apply', time: '2026-12-01T04:47:36Z', fieldsType: 'FieldsV1', fieldsV1: fields({ 'f:traffic': { '.': {}, 'f:enableEgress': {} } }) },
      { manager: 'kubectl-patch', operation: 'Update', time: '2026-12-01T04:47:38Z', fieldsType: 'FieldsV1', fieldsV1: fields({ 'f:observability': { 'f:remoteLogging': { 'f:authorization': {} } } }) },
    ];
    const spec = meshConfig['spec'] as JsonObject;
    spec['observability'] = { ...(spec['observability'] as JsonObject), remoteLogging: { authorization: 'driftlive-5' } };
    return objects;
  });
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true\nobservability:\n  remoteLogging:\n    authorization: driftrepo-6') }, { live });
  assert.ok(plan.findings.some((f) => f.code === 'drift' && f.path === 'spec.observability.remoteLogging.authorization'), 'the drift is found');
  for (const { format, render } of RENDERERS) {
    const output = render(plan);
    for (const secret of ['driftlive-5', 'driftrepo-6']) assertRedacted(output, secret, `${secret} / ${format}`);
  }
});

test('redact.keys in .github/fsm-gitops.yml adds key names, masked in every format', async () => {
  const config = `redact:\n  keys: [sessionBlob]\nenvironments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n`;
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cfg.yaml': pluginConfigYaml('extra', { config: 'session_blob: blobvalue-7' }) }, { config });
  for (const { format, render } of RENDERERS) assertRedacted(render(plan), 'blobvalue-7', format);
});

test('credentials in a created and in a deleted object, by key, by a name/value pair (value first) and by shape, and each quoted in the other, are masked in every format', async () => {
  const owned = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };
  const live = exampleLiveState('staging', (objects) => [
    ...objects,
    {
      apiVersion: 'plugin.flomesh.io/v1alpha1',
      kind: 'PluginConfig',
      metadata: { name: 'gone', namespace: 'bookinfo', labels: owned, annotations: { note: 'rotated from createdtoken-8' } },
      spec: {
        plugin: 'cors',
        destinationRefs: [{ kind: 'Service', name: 'productpage', namespace: 'bookinfo' }],
        config: { apiToken: 'deletedtoken-9', headers: [{ Value: 'deletedpair-10', Name: 'Proxy-Authorization' }], upstream: 'https://admin:deletedpw-11@logs.example.com/x' },
      },
    },
  ]);
  const config = dump({ apiToken: 'createdtoken-8', headers: [{ value: 'createdpair-12', name: 'Authorization' }], note: 'replaces deletedtoken-9', jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJlMQ' });
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cfg.yaml': pluginConfigYaml('made', { config }) }, { live });
  assert.deepEqual(plan.changes.filter((c) => c.kind === 'PluginConfig').map((c) => [c.name, c.action]), [['made', 'create'], ['gone', 'delete']]);
  for (const { format, render } of RENDERERS) {
    const output = render(plan);
    for (const secret of ['createdtoken-8', 'createdpair-12', 'eyJzdWIiOiJhYmMifQ']) assertRedacted(output, secret, `${secret} / ${format}`);
    // JSON carries no deleted object (README, "JSON output"): its credentials are not in it at all.
    for (const secret of ['deletedtoken-9', 'deletedpair-10', 'deletedpw-11']) {
      if (format === 'JSON') assert.ok(!output.includes(secret), `${secret} / JSON: the secret is printed`);
      else assertRedacted(output, secret, `${secret} / ${format}`);
    }
  }
});
