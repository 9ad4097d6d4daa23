import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import { changeDiff } from '../../src/render/unified-diff.ts';
import { exampleLiveState, planFiles, STAGING_CONFIG, withCode } from '../support/plan-fixture.ts';

const deployed = exampleLiveState().helmRelease!.config;
const valuesWith = (edit: (values: Record<string, any>) => void): string => {
  const values = structuredClone(deployed) as Record<string, any>;
  edit(values);
  return dump(values);
};

test('values equal to the deployed release give no values findings and an unchanged HelmValues', async () => {
  const plan = await planFiles({ 'values.yaml': dump(deployed) });
  assert.deepEqual(plan.findings, []);
  assert.equal(plan.changes.find((c) => c.kind === 'HelmValues')?.action, 'unchanged');
});

test('a values key that seeds the MeshConfig warns and shows the meshconfig.yaml equivalent', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].enableEgress = false)) });
  const [finding] = withCode(plan.findings, 'values-no-effect-after-install');
  assert.equal(finding?.path, 'fsm.enableEgress');
  assert.match(finding!.message, /spec:\n  traffic:\n    enableEgress: false/);
});

test('other values changes are pending a chart upgrade: a notice and a pending HelmValues change', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].fsmController = { ...v['fsm'].fsmController, replicaCount: 3 })) });
  const [finding] = withCode(plan.findings, 'values-upgrade-pending');
  assert.equal(finding?.path, 'fsm.fsmController.replicaCount');
  const change = plan.changes.find((c) => c.kind === 'HelmValues')!;
  assert.equal(change.action, 'update');
  assert.match(change.pending!, /chart upgrade/);
  assert.deepEqual(change.fields, [{ path: 'fsm.fsmController.replicaCount', before: 1, after: 3 }]);
});

test('values are validated against the chart schema, merged onto the chart defaults', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].trafficInterceptionMode = 'Sometimes')) });
  const [finding] = withCode(plan.findings, 'schema-enum');
  assert.equal(finding?.path, 'fsm.trafficInterceptionMode');
  assert.equal(finding?.file, 'clusters/staging/values.yaml');
});

test('meshName and fsmNamespace never change', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => ((v['fsm'].meshName = 'other'), (v['fsm'].fsmNamespace = 'fsm'))) });
  assert.deepEqual(withCode(plan.findings, 'mesh-identity-changed').map((f) => f.path), ['fsm.fsmNamespace', 'fsm.meshName']);
});

test('a values.yaml that leaves fsm.fsmNamespace out (or empty) keeps the release\'s namespace, as the chart renders it: no error, a notice that says so', async () => {
  for (const edit of [(v: Record<string, any>) => delete v['fsm'].fsmNamespace, (v: Record<string, any>) => (v['fsm'].fsmNamespace = '')]) {
    const plan = await planFiles({ 'values.yaml': valuesWith(edit) });
    assert.deepEqual(withCode(plan.findings, 'mesh-identity-changed'), []);
    const [notice] = withCode(plan.findings, 'values-upgrade-pending').filter((f) => f.path === 'fsm.fsmNamespace');
    assert.match(notice!.message, /still deploys FSM into the release's namespace, fsm-system/);
  }
  const elsewhere = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].fsmNamespace = 'fsm-system-2')) });
  assert.deepEqual(withCode(elsewhere.findings, 'mesh-identity-changed').map((f) => f.path), ['fsm.fsmNamespace']);
});

test('the mesh name must be an RFC 1123 label', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].meshName = 'My_Mesh')) });
  assert.equal(withCode(plan.findings, 'mesh-name-invalid')[0]?.path, 'fsm.meshName');
});

test('without a deployed release, values are not validated and that is said', async () => {
  const live = exampleLiveState('staging', (objects) => objects.filter((o) => o.kind !== 'Secret'));
  const plan = await planFiles({ 'values.yaml': dump(deployed) }, { live });
  assert.equal(withCode(plan.findings, 'schema-unavailable')[0]?.severity, 'warning');
});

test('values.yaml is read as Helm reads it: `yes` is true (a notice says so at its line), not a schema error', async () => {
  const yes = dump(deployed).replace(/^fsm:\n/m, 'fsm:\n  enforceSingleMesh: yes\n');
  const plan = await planFiles({ 'values.yaml': yes });
  assert.deepEqual(plan.findings.filter((f) => f.severity !== 'notice'), [], 'Helm reads yes as true, which the schema allows');
  const [notice, ...more] = withCode(plan.findings, 'yaml11-scalar');
  assert.deepEqual(more, []);
  assert.equal(notice?.line, yes.split('\n').findIndex((l) => l.includes('enforceSingleMesh')) + 1);
  assert.match(notice!.message, /`yes` is read as true, as Helm and kubectl read YAML/);
});

test('merge keys in values.yaml are resolved as Helm resolves them, not an unknown field `<<`', async () => {
  const values = `x-defaults: &d\n  enforceSingleMesh: true\n${dump(deployed).replace(/^fsm:\n/m, 'fsm:\n  <<: *d\n')}`;
  const plan = await planFiles({ 'values.yaml': values });
  assert.deepEqual(plan.findings.filter((f) => f.path?.includes('<<') || /<</.test(f.message)), []);
  assert.doesNotMatch(JSON.stringify(plan.changes), /<</);
});

test('a values key the chart also renders into control-plane objects (fsm.image.tag) is a pending upgrade naming them, not "no effect"', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].image = { ...v['fsm'].image, tag: '1.6.1' })) });
  assert.deepEqual(withCode(plan.findings, 'values-no-effect-after-install'), []);
  const [finding, ...more] = withCode(plan.findings, 'values-upgrade-pending');
  assert.deepEqual(more, []);
  assert.equal(finding?.path, 'fsm.image.tag');
  assert.match(finding!.message, /Deployment fsm-controller/);
  assert.match(finding!.message, /seeded spec\.image\.tag of the MeshConfig at install/);
});

test('fsm.controllerLogLevel reaches the controllers as --verbosity: a pending upgrade, not "no effect"', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].controllerLogLevel = 'debug')) });
  assert.deepEqual(withCode(plan.findings, 'values-no-effect-after-install'), []);
  assert.match(withCode(plan.findings, 'values-upgrade-pending')[0]!.message, /Deployment fsm-controller/);
});

test('a key only the preset reads, but computed (fsm.serviceLB.image.tag), says which MeshConfig field to set and how the chart builds it', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].serviceLB = { image: { tag: 'v9' } })) });
  const [finding] = withCode(plan.findings, 'values-no-effect-after-install');
  assert.equal(finding?.path, 'fsm.serviceLB.image.tag');
  assert.match(finding!.message, /spec:\n  serviceLB:\n    image: <the value the chart would compute>/);
  assert.match(finding!.message, /include "serviceLB\.image"/);
});

test('`fsm:` with every key commented out is one finding, the schema error at its line: no per-key advice for keys not written', async () => {
  const plan = await planFiles({ 'values.yaml': 'fsm:\n#  meshName: fsm\n#  enableEgress: true\n' });
  assert.equal(plan.findings.length, 1, plan.findings.map((f) => `${f.code} ${f.path}`).join('\n'));
  const [finding] = plan.findings;
  assert.deepEqual([finding?.severity, finding?.code, finding?.path, finding?.line], ['error', 'schema-required', 'fsm', 1]);
  assert.match(finding!.message, /fsm is empty \(null\).*delete the `fsm:` line or write `fsm: \{\}`/);
});

test('a section left null that the schema does not require (fsm.warmup) is one warning at its line', async () => {
  const text = dump(deployed).replace(/^fsm:\n/m, 'fsm:\n  warmup:\n  # enable: true\n').replace(/^  warmup:\n(?:    .*\n)+/m, '');
  const plan = await planFiles({ 'values.yaml': text });
  assert.deepEqual(plan.findings.map((f) => [f.severity, f.code, f.path, f.line]), [['warning', 'values-section-null', 'fsm.warmup', 2]]);
});

test('a pending upgrade names only the objects the deployed release installed (its manifest), not every one the chart can render', async () => {
  const live = exampleLiveState();
  const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: fsm-system\n`;
  live.helmRelease = { ...live.helmRelease!, manifest: `---\n${deployment('fsm-controller')}---\n${deployment('fsm-bootstrap')}` };
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].image = { ...v['fsm'].image, tag: '1.6.1' })) }, { live });
  const [finding] = withCode(plan.findings, 'values-upgrade-pending');
  assert.match(finding!.message, /renders it into Deployment fsm-bootstrap, Deployment fsm-controller, so/);
  assert.doesNotMatch(finding!.message, /fsm-xnetwork|fsm-injector/);
});

test('a pending upgrade whose objects the release did not install names them all: the change may be what installs one', async () => {
  const live = exampleLiveState();
  live.helmRelease = { ...live.helmRelease!, manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: preset-mesh-config\n' };
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v['fsm'].trafficInterceptionMode = 'NodeLevel')) }, { live });
  assert.match(withCode(plan.findings, 'values-upgrade-pending')[0]!.message, /renders it into DaemonSet fsm-xnetwork/);
});

test('a top-level key the chart does not know (a typo of fsm) is a warning with the near name; the chart\'s own keys and global are not', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => ((v['fsmm'] = { meshName: 'fsm' }), (v['global'] = {}), (v['smi'] = {}), (v['zzzzzz'] = 1))) });
  const found = withCode(plan.findings, 'values-unknown-key');
  assert.deepEqual(found.map((f) => [f.path, f.severity]), [['fsmm', 'warning'], ['zzzzzz', 'warning']]);
  assert.match(found[0]!.message, /^fsmm is not a value of chart fsm \S+ \(its top-level values are [^)]*\bfsm\b[^)]*\): Helm passes it to no template, so nothing under it takes effect; did you mean `fsm`\?$/);
  assert.match(found[1]!.message, /; remove it, or check the chart's values \(/);
});

test('with chart upgrades on, a typo of fsm in a file that sets no fsm is an error: the upgrade would reset every fsm value the release sets', async () => {
  const config = `${STAGING_CONFIG}    chart: { upgrade: true }\n`;
  const typo = 'fms:\n  fsmController:\n    replicaCount: 3\n';
  const plan = await planFiles({ 'values.yaml': typo }, { config });
  const [found] = withCode(plan.findings, 'values-unknown-key');
  assert.equal(found?.severity, 'error');
  assert.match(found!.message, /^fms is not a value of chart fsm \S+ \([^)]*\): Helm passes it to no template, so nothing under it takes effect, and values\.yaml sets no `fsm`: the upgrade takes values\.yaml whole, so every value the deployed release sets under `fsm` would go back to the chart's default; did you mean `fsm`\?$/);
  // Beside a real fsm, the typo only holds values that never take effect; with upgrades off, apply never runs helm.
  const beside = await planFiles({ 'values.yaml': valuesWith((v) => (v['fms'] = { meshName: 'fsm' })) }, { config });
  assert.deepEqual(withCode(beside.findings, 'values-unknown-key').map((f) => f.severity), ['warning']);
  const off = await planFiles({ 'values.yaml': typo });
  assert.deepEqual(withCode(off.findings, 'values-unknown-key').map((f) => f.severity), ['warning']);
  // An empty fsm sets nothing either: the typo's values are still the ones meant.
  const empty = await planFiles({ 'values.yaml': `fsm: {}\n${typo}` }, { config });
  assert.deepEqual(withCode(empty.findings, 'values-unknown-key').map((f) => f.severity), ['error']);
  // Near a key the deployed release sets nothing under (smi, global: its config has fsm only), nothing is reset.
  for (const stray of ['sme', 'globl', 'foo']) {
    const plan = await planFiles({ 'values.yaml': valuesWith((v) => (v[stray] = { a: 1 })) }, { config });
    assert.deepEqual(withCode(plan.findings, 'values-unknown-key').map((f) => f.severity), ['warning'], stray);
  }
});

test('with chart upgrades on, a stray key holding what looks like fsm\'s values, in a file that sets no fsm, is an error: the upgrade would reset every fsm value the release sets', async () => {
  const config = `${STAGING_CONFIG}    chart: { upgrade: true }\n`;
  const cases = [
    ['values', '  fsm:\n    fsmController:\n      replicaCount: 3\n', 'it holds `fsm:`'],
    ['staging_settings', '  fsmController:\n    replicaCount: 3\n  image:\n    tag: x\n', '`fsmController`, `image` are keys of `fsm`'],
  ];
  for (const [stray, body, why] of cases) {
    const plan = await planFiles({ 'values.yaml': `${stray}:\n${body}` }, { config });
    const found = withCode(plan.findings, 'values-unknown-key');
    assert.deepEqual(found.map((f) => [f.path, f.severity, f.line]), [[stray, 'error', 1]], stray);
    assert.ok(
      found[0]!.message.endsWith(`values.yaml sets no \`fsm\`: the upgrade takes values.yaml whole, so every value the deployed release sets under \`fsm\` would go back to the chart's default. What is under \`${stray}\` looks meant for \`fsm\` (${why}): move it under \`fsm:\`; if the reset is meant, remove \`${stray}\``),
      found[0]!.message,
    );
    // The reset it guards against is real: the HelmValues change lists the release's fsm values going back.
    assert.ok(plan.changes.some((c) => c.kind === 'HelmValues' && c.action === 'update'), stray);
    // With upgrades off, or beside an fsm that sets values, it stays a warning.
    const off = await planFiles({ 'values.yaml': `${stray}:\n${body}` });
    assert.deepEqual(withCode(off.findings, 'values-unknown-key').map((f) => f.severity), ['warning'], stray);
    const beside = await planFiles({ 'values.yaml': `${stray}:\n${body}fsm:\n  meshName: fsm\n  fsmController:\n    replicaCount: 1\n` }, { config });
    assert.deepEqual(withCode(beside.findings, 'values-unknown-key').map((f) => f.severity), ['warning'], stray);
  }
  // A stray key that holds nothing of fsm's, or is near another known key, is not taken for fsm's values: a warning
  // (the HelmValues change still shows the reset), keeping its own did-you-mean.
  for (const [values, hint] of [['notes: written by Ann\n', /remove it, or check the chart's values/], ['notes:\n  author: Ann\n', /remove it/], ['clustrSet:\n  name: x\n', /did you mean `clusterSet`\?$/], ['foo:\n  a: 1\n', /: Helm passes it to no template, so nothing under it takes effect; did you mean `fsm`\?$/]] as const) {
    const plan = await planFiles({ 'values.yaml': values }, { config });
    const found = withCode(plan.findings, 'values-unknown-key');
    assert.deepEqual(found.map((f) => f.severity), ['warning'], values);
    assert.match(found[0]!.message, hint, values);
  }
});

test('a values.yaml that leaves fsm.meshName out (apply adds it): the HelmValues diff does not show meshName removed', async () => {
  const plan = await planFiles({ 'values.yaml': valuesWith((v) => (delete v['fsm'].meshName, (v['fsm'].fsmController = { ...v['fsm'].fsmController, replicaCount: 3 }))) });
  const change = plan.changes.find((c) => c.kind === 'HelmValues')!;
  assert.equal((change.after as { fsm: { meshName?: string } }).fsm.meshName, 'fsm', 'shown as helm is given it');
  const diff = changeDiff(change);
  assert.match(diff, /^\+ {4}replicaCount: 3$/m);
  assert.doesNotMatch(diff, /meshName/, diff);
});

test('a list item the values remove is shown at its list, not at the item now at its old index', async () => {
  const live = exampleLiveState();
  const secrets = [{ name: 'registry-a' }, { name: 'registry-b' }, { name: 'registry-c' }];
  const release = { ...live.helmRelease!, config: { ...deployed, fsm: { ...(deployed['fsm'] as object), imagePullSecrets: secrets } } };
  const text = valuesWith((v) => (v['fsm'].imagePullSecrets = [secrets[0], secrets[2]]));
  const plan = await planFiles({ 'values.yaml': text }, { live: { ...live, helmRelease: release } });
  const [removed, ...more] = withCode(plan.findings, 'values-upgrade-pending');
  assert.deepEqual(more, []);
  // Named by its name, which the plan's redaction masks under a key that holds secrets.
  assert.match(removed!.message, /^fsm\.imagePullSecrets\[name=(registry-b|••••••)\] changes \(.* → \(unset\)\)/);
  const line = text.split('\n')[removed!.line! - 1]!;
  assert.match(line, /imagePullSecrets:/, `shown at line ${removed!.line}: ${line}`);
});

test('values.yaml and values.yml both: an error at values.yml, and the plan reads values.yaml only', async () => {
  const plan = await planFiles({
    'values.yaml': valuesWith((v) => (v['fsm'].fsmController = { ...v['fsm'].fsmController, replicaCount: 2 })),
    'values.yml': valuesWith((v) => (v['fsm'].fsmController = { ...v['fsm'].fsmController, replicaCount: 3 })),
  });
  assert.deepEqual(withCode(plan.findings, 'values-file-duplicate').map((f) => [f.severity, f.file, f.line]), [['error', 'clusters/staging/values.yml', 1]]);
  assert.deepEqual(plan.changes.find((c) => c.kind === 'HelmValues')?.fields, [{ path: 'fsm.fsmController.replicaCount', before: 1, after: 2 }]);
});
