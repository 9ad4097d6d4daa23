import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { policyChanges, policyFinding } from '../../src/config/policy.ts';
import type { JsonObject } from '../../src/core/json.ts';
import { labelsOf } from '../../src/core/kube.ts';
import { fieldChanges } from '../../src/plan/field-changes.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { schemaAt } from '../../src/fsm/crd-schemas.ts';
import { renderJson } from '../../src/render/json.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderText } from '../../src/render/text.ts';
import { cli } from '../support/cli.ts';
import { pluginYaml, ENABLE_PLUGINS } from '../support/manifests.ts';
import { exampleLiveState, planFiles } from '../support/plan-fixture.ts';

/** Keys that name a property of Object.prototype: a plain object indexed by them finds a JavaScript built-in. */
const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

const keyed = (value: string): JsonObject => {
  const out: JsonObject = {};
  for (const key of KEYS) Object.defineProperty(out, key, { value: `${value}-${key}`, enumerable: true, writable: true, configurable: true });
  return out;
};

function renderAll(plan: EnvironmentPlan): Record<string, string> {
  return {
    text: renderText({ environments: [plan] }, { color: false }),
    markdown: renderMarkdown({ environments: [plan] }),
    json: renderJson({ environments: [plan] }),
  };
}

test('a field change under a label or annotation key such as constructor is that key, never a built-in of Object.prototype', () => {
  const before = { metadata: { labels: { app: 'fsm' } } };
  const after = { metadata: { labels: { app: 'fsm', constructor: 'x' } } };
  assert.deepEqual(fieldChanges(before, after), [{ path: 'metadata.labels.constructor', after: 'x' }]);
  assert.deepEqual(fieldChanges(after, before), [{ path: 'metadata.labels.constructor', before: 'x' }]);
});

test('labels, annotations and workload labels keyed constructor, __proto__, toString ... plan and render in text, Markdown and JSON', async () => {
  const live = exampleLiveState('staging', (objects) => {
    for (const object of objects) {
      if (object.kind === 'MeshConfig') object.metadata['labels'] = { app: 'fsm' };
      // Workloads and their pod templates (the restart list reads them).
      if (['Deployment', 'StatefulSet', 'DaemonSet', 'Namespace'].includes(object.kind)) {
        object.metadata['labels'] = { ...(object.metadata['labels'] as JsonObject), ...keyed('live') };
        object.metadata['annotations'] = { ...(object.metadata['annotations'] as JsonObject), ...keyed('live') };
      }
    }
    return objects;
  });
  const labels = KEYS.map((k) => `    ${k}: repo-${k}`).join('\n');
  const meshConfig = ENABLE_PLUGINS.replace('  namespace: fsm-system\n', `  namespace: fsm-system\n  labels:\n${labels}\n  annotations:\n${labels}\n`);
  const plan = await planFiles({ 'meshconfig.yaml': meshConfig, 'constructor.yaml': pluginYaml('constructor'), 'values.yaml': `fsm:\n  image:\n    registry: flomesh\n${KEYS.map((k) => `  ${k}: v`).join('\n')}\n` }, { live });
  const meshChange = plan.changes.find((c) => c.kind === 'MeshConfig')!;
  for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.ok(meshChange.fields.some((f) => f.path === `metadata.labels.${key}` && f.after === `repo-${key}` && f.before === undefined), `label ${key} is added`);
  }
  assert.ok(plan.changes.some((c) => c.kind === 'Plugin' && c.name === 'constructor' && c.action === 'create'), 'a Plugin named constructor is planned');
  for (const [format, output] of Object.entries(renderAll(plan))) {
    assert.match(output, /repo-constructor/, format);
    assert.doesNotMatch(output, /function|\[native code\]/, `${format}: no built-in printed`);
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('labelsOf keeps a label named __proto__ as a label, and lacks constructor unless the object has it', () => {
  const labels = labelsOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: JSON.parse('{"__proto__":"x","app":"y"}') as JsonObject } });
  assert.equal(labels['__proto__'], 'x');
  assert.equal(labels['constructor'], undefined);
});

test('a CRD schema has no property named __proto__ or constructor unless it declares one', () => {
  const schema = JSON.parse('{"properties":{"spec":{"properties":{}}}}') as JsonObject;
  for (const key of ['__proto__', 'constructor']) assert.equal(schemaAt(schema, ['spec', key]), undefined, key);
});

test('a dry-run cause whose reason is constructor is server-rejected, not a built-in as its code', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('p') }, {
    dryRun: new Map([['plugin.flomesh.io/Plugin//p', { ok: false as const, status: 422, message: 'invalid', causes: [{ field: 'spec.priority', reason: 'constructor', message: 'no' }] }]]),
  });
  const finding = plan.findings.find((f) => f.file === 'clusters/staging/p.yaml')!;
  assert.equal(finding.code, 'server-rejected');
});

test('an environment named constructor: its policy finding is at its own line, or at line 1 once removed', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const withIt = parseRepoConfig('.github/fsm-gitops.yml', encode('environments:\n  staging:\n    path: a\n    cluster: a\n  constructor:\n    path: b\n    cluster: constructor\n'));
  const without = parseRepoConfig('.github/fsm-gitops.yml', encode('environments:\n  staging:\n    path: a\n    cluster: a\n'));
  const [added] = policyChanges(without, withIt);
  assert.equal(policyFinding(added!, withIt).line, 5);
  const [removed] = policyChanges(withIt, without);
  assert.equal(removed!.kind, 'removed');
  assert.equal(policyFinding(removed!, without).line, 1, 'not a built-in of Object.prototype');
});

test('a command named constructor or toString is an unknown command, not a crash', async () => {
  for (const command of ['constructor', 'toString', '__proto__']) {
    const run = await cli([command]);
    assert.equal(run.code, 3, command);
    assert.match(run.stderr, new RegExp(`unknown command "${command}"`));
    assert.doesNotMatch(run.stderr, /unexpected failure/);
  }
});
