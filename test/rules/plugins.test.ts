import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exampleLiveState, planFiles, STAGING_CONFIG, withCode } from '../support/plan-fixture.ts';
import type { ServiceNames } from '../../src/live/live-state.ts';
import { chainYaml, ENABLE_PLUGINS, pluginConfigYaml, pluginYaml } from '../support/manifests.ts';

const VALID = { 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chainYaml('cors-chain'), 'config.yaml': pluginConfigYaml('cors-config') };

test('a valid plugin set has no findings and creates three objects with ownership labels', async () => {
  const plan = await planFiles(VALID);
  assert.deepEqual(plan.findings.filter((f) => f.severity !== 'warning' || f.code !== 'restart-required'), []);
  const created = plan.changes.filter((c) => c.action === 'create');
  assert.deepEqual(created.map((c) => c.kind), ['Plugin', 'PluginChain', 'PluginConfig']);
  const labels = (created[0]!.after!['metadata'] as { labels: Record<string, string> }).labels;
  assert.deepEqual(labels, { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' });
});

test('plugin kinds need enablePluginPolicy in the MeshConfig that will be live', async () => {
  const { 'meshconfig.yaml': _, ...withoutMeshConfig } = VALID;
  const plan = await planFiles(withoutMeshConfig);
  const findings = withCode(plan.findings, 'plugin-policy-disabled');
  assert.equal(findings.length, 3);
  assert.match(findings[0]!.message, /the MeshConfig after this change still has spec\.featureFlags\.enablePluginPolicy off; set spec\.featureFlags\.enablePluginPolicy: true/);
  const off = await planFiles({ ...VALID, 'meshconfig.yaml': ENABLE_PLUGINS.replace('enablePluginPolicy: true', 'enablePluginPolicy: false') });
  assert.match(withCode(off.findings, 'plugin-policy-disabled')[0]!.message, /and this change turns it off \(spec\.featureFlags\.enablePluginPolicy: false in clusters\/staging\/meshconfig\.yaml:8\)/);
});

test('one mistake, one error: a MeshConfig that cannot be read or is refused is not also "plugin policy off" on every plugin', async () => {
  const broken = await planFiles({ ...VALID, 'meshconfig.yaml': `${ENABLE_PLUGINS}  bad: [\n` });
  assert.equal(withCode(broken.findings, 'yaml-syntax').length, 1);
  assert.deepEqual(withCode(broken.findings, 'plugin-policy-disabled'), []);
  const refused = await planFiles({ ...VALID, 'meshconfig.yaml': ENABLE_PLUGINS.replace('namespace: fsm-system', 'namespace: elsewhere') });
  assert.equal(withCode(refused.findings, 'namespace-not-allowed').length, 1);
  assert.deepEqual(withCode(refused.findings, 'plugin-policy-disabled'), []);
});

test('a chain mounting a Plugin the plan refused (a namespace on a cluster-scoped Plugin) reports the Plugin, not a missing reference', async () => {
  const plan = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors').replace('metadata:\n', 'metadata:\n  namespace: bookinfo\n') });
  assert.equal(withCode(plan.findings, 'manifest-invalid').length, 1);
  assert.deepEqual(withCode(plan.findings, 'plugin-ref-missing'), []);
});

test('a reference missing while a file could not be read says the object may be in that file', async () => {
  const plan = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { plugins: ['cors', 'nope'] }), 'broken.yaml': 'a: [\n' });
  const [finding] = withCode(plan.findings, 'plugin-ref-missing');
  assert.match(finding!.message, /unless it is in clusters\/staging\/broken\.yaml, which could not be read/);
});

test('a .js file no Plugin takes as its script is a notice that it is not applied; the script of a Plugin without one is not', async () => {
  const plan = await planFiles({ ...VALID, 'cors.js': '// shadowed', 'old-name.js': '// a renamed Plugin\'s', 'x.yaml': pluginYaml('x', null), 'x.js': 'pipy().pipeline().dummy()' });
  const notices = withCode(plan.findings, 'script-unused');
  assert.deepEqual(notices.map((f) => [f.file, f.severity, f.line]), [['clusters/staging/cors.js', 'notice', 1], ['clusters/staging/old-name.js', 'notice', 1]]);
  assert.match(notices[0]!.message, /^Plugin cors has its script inline \(spec\.pipyscript\), so cors\.js beside it is not read/);
  assert.match(notices[1]!.message, /^no Plugin takes it as its script/);
});

test('a chain name FSM does not know is an error with a suggestion', async () => {
  const plan = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { chain: 'inbound-https' }) });
  const [finding] = withCode(plan.findings, 'chain-name-unknown');
  assert.equal(finding?.path, 'spec.chains[0].name');
  assert.match(finding!.message, /did you mean "inbound-http"/);
});

test('a chain mounting a Plugin that exists nowhere is an error; one in the cluster is fine', async () => {
  const missing = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { plugins: ['cors', 'nope'] }) });
  const [finding] = withCode(missing.findings, 'plugin-ref-missing');
  assert.equal(finding?.path, 'spec.chains[0].plugins[1]');
  const inCluster = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { plugins: ['cors', 'team-authz'] }) });
  assert.deepEqual(withCode(inCluster.findings, 'plugin-ref-missing'), []);
  const typo = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { plugins: ['crso'] }), 'config.yaml': pluginConfigYaml('cors-config', { plugin: 'team-auth' }) });
  assert.deepEqual(withCode(typo.findings, 'plugin-ref-missing').map((f) => /\(did you mean "([^"]+)"\?\)/.exec(f.message)?.[1]).sort(), ['cors', 'team-authz']);
});

test('a Plugin this change prunes does not count as existing', async () => {
  const plan = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { plugins: ['legacy-logger'] }) });
  const [finding] = withCode(plan.findings, 'plugin-ref-missing');
  assert.match(finding!.message, /this change deletes it/);
});

test('a PluginConfig for a Plugin no chain mounts is a warning', async () => {
  const plan = await planFiles({ ...VALID, 'other.yaml': pluginYaml('other'), 'config.yaml': pluginConfigYaml('cfg', { plugin: 'other' }) });
  const [finding] = withCode(plan.findings, 'plugin-not-mounted');
  assert.equal(finding?.severity, 'warning');
  assert.equal(finding?.path, 'spec.plugin');
});

test('destinationRefs other than Service are ignored by FSM: a warning', async () => {
  const plan = await planFiles({ ...VALID, 'config.yaml': pluginConfigYaml('cfg', { kind: 'Deployment' }) });
  const [finding] = withCode(plan.findings, 'destination-ref-ignored');
  assert.equal(finding?.path, 'spec.destinationRefs[0].kind');
});

test('a Service destinationRef without a namespace or a name matches no Service in FSM: a warning that names what to add', async () => {
  const config = (ref: string) => ({ ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace('      name: productpage\n      namespace: bookinfo\n', ref) });
  const noNamespace = withCode((await planFiles(config('      name: productpage\n'))).findings, 'destination-ref-incomplete');
  assert.equal(noNamespace.length, 1);
  assert.equal(noNamespace[0]!.path, 'spec.destinationRefs[0]');
  assert.match(noNamespace[0]!.message, /has no namespace: .* add the namespace; for a Service in the PluginConfig's own namespace, that is namespace: bookinfo$/);
  const neither = withCode((await planFiles(config("      namespace: ''\n"))).findings, 'destination-ref-incomplete');
  assert.match(neither[0]!.message, /has no namespace and no name: .* add the namespace and the name;/);
  const noName = withCode((await planFiles(config('      namespace: bookinfo\n'))).findings, 'destination-ref-incomplete');
  assert.match(noName[0]!.message, /has no name: .* add the name$/);
  assert.deepEqual(withCode((await planFiles(VALID)).findings, 'destination-ref-incomplete'), [], 'namespace and name written');
  const numbered = await planFiles(config('      name: productpage\n      namespace: 123\n'));
  assert.deepEqual(withCode(numbered.findings, 'destination-ref-incomplete'), [], 'a number is a value of the wrong type (schema-type), not a missing one');
  assert.equal(withCode(numbered.findings, 'schema-type').length, 1);
});

test('a Service destinationRef in a namespace the mesh does not monitor is a warning, when the live state knows the monitored namespaces', async () => {
  const config = { ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace('namespace: bookinfo\n  config', 'namespace: legacy\n  config') };
  const [finding] = withCode((await planFiles(config)).findings, 'destination-ref-unmeshed');
  assert.equal(finding?.path, 'spec.destinationRefs[0].namespace');
  assert.match(finding!.message, /^namespace "legacy" is not monitored by mesh fsm: /);
  assert.deepEqual(withCode((await planFiles(VALID)).findings, 'destination-ref-unmeshed'), [], 'bookinfo is monitored');
  // A name no namespace can have is said so (quoted: the value may hold anything), with the monitored namespace it is closest to.
  const invalid = (namespace: string) => ({ ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace('namespace: bookinfo\n  config', `namespace: ${JSON.stringify(namespace)}\n  config`) });
  const [typo] = withCode((await planFiles(invalid('bookinf'))).findings, 'destination-ref-unmeshed');
  assert.match(typo!.message, /^namespace "bookinf" is not monitored by mesh fsm \(did you mean "bookinfo"\?\): /);
  for (const [namespace, quoted] of [['bookinfo ', '"bookinfo "'], ['BOOKINFO', '"BOOKINFO"']]) {
    const [found] = withCode((await planFiles(invalid(namespace!))).findings, 'destination-ref-unmeshed');
    assert.equal(found?.message, `${quoted} is not a namespace name (a lowercase RFC 1123 label), so no namespace mesh fsm monitors has it (did you mean "bookinfo"?): FSM's sidecars match only the Services of the namespaces it monitors, so this reference does nothing`);
  }
  // The environment allows bookinfo itself, so the PluginConfig is planned whatever the mesh monitors.
  const options = { config: `${STAGING_CONFIG}    namespaces: [bookinfo]\n` };
  // From an API server the monitored namespaces are all that is listed: none listed means none is monitored.
  const cluster = { ...exampleLiveState(), origin: 'cluster' as const, namespaces: [] };
  assert.equal(withCode((await planFiles(VALID, { ...options, live: cluster })).findings, 'destination-ref-unmeshed').length, 1);
  // A snapshot without namespaces, or no cluster at all, says nothing of them.
  const noNamespaces = exampleLiveState('staging', (objects) => objects.filter((o) => o.kind !== 'Namespace'));
  assert.deepEqual(withCode((await planFiles(VALID, { ...options, live: noNamespaces })).findings, 'destination-ref-unmeshed'), []);
  assert.deepEqual(withCode((await planFiles(VALID, { ...options, live: { ...noNamespaces, origin: 'reference' } })).findings, 'destination-ref-unmeshed'), []);
  assert.equal(withCode((await planFiles(VALID, { ...options, live: { ...cluster, origin: 'snapshot', namespaces: exampleLiveState().namespaces.filter((n) => n.metadata.name !== 'bookinfo') } })).findings, 'destination-ref-unmeshed').length, 1, 'a snapshot with namespaces, bookinfo not among them');
});

test('a Service destinationRef the API server does not list is a warning, with the nearest name; namespaces not listed are one notice', async () => {
  const config = (name: string) => ({ ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace('name: productpage', `name: ${name}`) });
  const listed: ServiceNames = { listed: new Map([['bookinfo', new Set(['productpage', 'reviews'])]]), unlisted: new Map() };
  assert.deepEqual(withCode((await planFiles(config('productpage'), { services: listed })).findings, 'destination-ref-missing'), [], 'the Service exists');
  const [missing] = withCode((await planFiles(config('productpgae'), { services: listed })).findings, 'destination-ref-missing');
  assert.equal(missing?.severity, 'warning');
  assert.equal(missing?.path, 'spec.destinationRefs[0].name');
  assert.equal(missing?.message, 'the cluster has no Service "productpgae" in namespace "bookinfo" (did you mean "productpage"?): this reference does nothing until that Service exists');
  assert.deepEqual(withCode((await planFiles(config('productpgae'))).findings, 'destination-ref-missing'), [], 'no list, no claim');

  // bookinfo listed, payments refused: bookinfo's references are still checked; payments's two references to one Service are one Service unchecked.
  const refs = ['productpgae/bookinfo', 'ledger/payments', 'ledger/payments'].map((ref) => `    - kind: Service\n      name: ${ref.split('/')[0]}\n      namespace: ${ref.split('/')[1]}\n`).join('');
  const mixed = { ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace(/    - kind: Service\n      name: productpage\n      namespace: bookinfo\n/, refs) };
  const partly: ServiceNames = { listed: listed.listed, unlisted: new Map([['payments', 'https://k8s refused to list them (403 Forbidden: deploy/rbac.yaml grants list on services)']]) };
  const plan = await planFiles(mixed, { services: partly });
  assert.deepEqual(withCode(plan.findings, 'destination-ref-missing').map((f) => f.path), ['spec.destinationRefs[0].name']);
  const [unchecked, ...more] = withCode(plan.findings, 'destination-refs-unchecked');
  assert.equal(more.length, 0, 'one notice');
  assert.equal(unchecked?.severity, 'notice');
  assert.equal(unchecked?.path, 'spec.destinationRefs[1]', 'at the first unchecked reference');
  assert.equal(unchecked?.message, 'the Services of a namespace could not be listed (namespace "payments": https://k8s refused to list them (403 Forbidden: deploy/rbac.yaml grants list on services)), so whether the Service a PluginConfig destinationRef names there exists was not checked; the plan goes on without it');
});

test('a namespace of 100,000 Services and 1,000 missing references: each is warned of (50 shown), suggestions only within a bounded number of comparisons', async () => {
  const names = new Set(Array.from({ length: 100_000 }, (_, i) => `svc-${String(i).padStart(6, '0')}`));
  const refs = Array.from({ length: 1_000 }, (_, i) => `    - kind: Service\n      name: svq-${String(i).padStart(6, '0')}\n      namespace: bookinfo\n`).join('');
  const files = { ...VALID, 'config.yaml': pluginConfigYaml('cfg').replace(/    - kind: Service\n      name: productpage\n      namespace: bookinfo\n/, refs) };
  const plan = await planFiles(files, { services: { listed: new Map([['bookinfo', names]]), unlisted: new Map() } });
  const missing = withCode(plan.findings, 'destination-ref-missing');
  assert.equal(missing.length, 50, 'the first 50 of the file, as for any finding (finding-caps.ts)');
  const suggested = missing.filter((f) => f.message.includes('did you mean'));
  // Each has a Service one letter away; the budget (200,000 comparisons) covers two lookups among 100,000 names.
  assert.equal(suggested.length, 2);
  assert.match(suggested[0]!.message, /"svq-000000" in namespace "bookinfo" \(did you mean "svc-000000"\?\)/);
});

test('a selector operator FSM cannot match is an error', async () => {
  const selectors = '    podSelector:\n      matchExpressions:\n        - key: app\n          operator: Equals\n          values: [productpage]\n';
  const plan = await planFiles({ ...VALID, 'chain.yaml': chainYaml('cors-chain', { selectors }) });
  const [finding] = withCode(plan.findings, 'selector-invalid');
  assert.equal(finding?.path, 'spec.selectors.podSelector.matchExpressions[0].operator');
  assert.equal(finding?.line, 15);
});

test('a Plugin without a script is an error; a .js file beside the manifest supplies it', async () => {
  const missing = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors', null) });
  assert.match(withCode(missing.findings, 'pipyscript-missing')[0]!.message, /clusters\/staging\/cors\.js/);
  assert.deepEqual(withCode(missing.findings, 'schema-required'), [], 'one finding, not two');
  const fromFile = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors', null), 'cors.js': 'pipy().pipeline()\n' });
  assert.deepEqual(fromFile.findings.filter((f) => f.code.startsWith('pipyscript')), []);
  const plugin = fromFile.changes.find((c) => c.kind === 'Plugin' && c.name === 'cors');
  assert.equal((plugin!.after!['spec'] as { pipyscript: string }).pipyscript, 'pipy().pipeline()\n');
});

test('PipyJS that does not parse is an error at the script file line', async () => {
  const plan = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors', null), 'cors.js': 'pipy()\n  .pipeline(\n  .dump(\n' });
  const [finding] = withCode(plan.findings, 'pipyscript-syntax');
  assert.deepEqual([finding?.file, finding?.line], ['clusters/staging/cors.js', 3]);
});

test('inline PipyJS syntax errors point into the manifest', async () => {
  const plan = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors', 'pipy()\n.pipeline(\n}') });
  const [finding] = withCode(plan.findings, 'pipyscript-syntax');
  assert.deepEqual([finding?.file, finding?.line], ['clusters/staging/cors.yaml', 10]);
});

test('the real FSM example plugins parse', async () => {
  const { readFileSync } = await import('node:fs');
  const { syntaxError } = await import('../../src/fsm/rules/pipyscript.ts');
  const { loadAll } = await import('js-yaml');
  for (const name of ['cors', 'fault-injection', 'header-modifier', 'traffic-mirror']) {
    const text = readFileSync(new URL(`../fixtures/fsm-reference/${name}.yaml`, import.meta.url), 'utf8');
    for (const doc of loadAll(text) as { kind?: string; spec?: { pipyscript?: string } }[]) {
      if (doc?.kind === 'Plugin') assert.equal(syntaxError(doc.spec!.pipyscript!), undefined, name);
    }
  }
});

test('a PluginConfig built with a merge key plans the merged config, never a literal `<<` key', async () => {
  const config = pluginConfigYaml('cors-config', { config: 'allowOrigins:\n  - exact: http://example.com\n<<: &base\n  allowMethods: [GET]\n  maxAge: 60\nmaxAge: 120' });
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'cors.yaml': pluginYaml('cors'), 'chain.yaml': chainYaml('c'), 'config.yaml': config });
  const change = plan.changes.find((c) => c.kind === 'PluginConfig')!;
  assert.deepEqual((change.after!['spec'] as Record<string, unknown>)['config'], { allowOrigins: [{ exact: 'http://example.com' }], allowMethods: ['GET'], maxAge: 120 });
  assert.doesNotMatch(JSON.stringify(plan), /<</);
});

test('Plugins sharing one broken script (parsed once) each get the finding in their own file', async () => {
  const script = 'pipy()\n  .pipeline(\n  .dump(\n';
  const plan = await planFiles({ ...VALID, 'cors.yaml': pluginYaml('cors', null), 'cors.js': script, 'copy.yaml': pluginYaml('copy', null), 'copy.js': script });
  const files = withCode(plan.findings, 'pipyscript-syntax').map((f) => `${f.file}:${f.line}`).sort();
  assert.deepEqual(files, ['clusters/staging/copy.js:3', 'clusters/staging/cors.js:3']);
});

test('a script is judged and its error placed as acorn with every node location would, V8 answering first or not', async () => {
  const { parse } = await import('acorn');
  const { syntaxError } = await import('../../src/fsm/rules/pipyscript.ts');
  const scripts = [
    ...['pipy()\n  .pipeline(\n  .dump(\n', 'return 1', 'await x', 'let a = `x${', 'a =>', '((a) => { b })', '"\\u{zz}"', 'x = 08', 'class A { #p; m() { return this.#q } }', 'pipy().pipeline().dummy()\n', 'if (a) {\n\n  b(\n}\n'],
    // Where V8 (which answers first: syntaxError compiles a script before acorn reads it) and acorn could part.
    ...['{ using x = f(); }', 'for await (x of y) {}', 'x = /(?i:a)b/', 'x = /[\\p{L}--[a-z]]/v', 'x <!-- y\n', '--> c\nx', '#!/bin/pipy\n1', 'new.target', 'function f(){ new.target }', 'import.meta', 'import("a", { with: { type: "json" } })', 'export default 1'],
    ...['function f(a, a) {}', '"use strict"; function f(a, a) {}', '(a, a) => 1', 'let let = 1', 'a?.b`x`', 'new a?.b', 'if (1) function f(){}', '"use strict"; with (a) {}', '"use strict"; 0777', '"\\08"', 'x = { __proto__: 1, __proto__: 2 }', '({ __proto__: 1, __proto__: 2 } = x)', 'let a; let a;'],
    ...['function f(){ let a; var a; }', '() => { let a; { var a; } }', 'function f(){ continue }', 'function f(){ x = /(/ }', 'x = /a/gg', 'function f(){ "use strict"; delete x }', 'class A { static { await } }', 'class A { constructor(){ super() } }', 'try {} catch (e) { let e; }', 'try {} catch ([e]) { var e; }', 'a: a: 1', '({a = 1})', 'async function f(){ await => 1 }', '1__0', "'\\u{110000}'"],
  ];
  for (const script of scripts) {
    let expected: { line: number; column: number; message: string } | undefined;
    try {
      parse(script, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, locations: true });
    } catch (error) {
      const { loc } = error as { loc: { line: number; column: number } };
      expected = { line: loc.line, column: loc.column + 1, message: (error as Error).message.replace(/ \(\d+:\d+\)$/, '') };
    }
    const found = syntaxError(script);
    assert.deepEqual(found && { line: found.line, column: found.column, message: found.message.replace(/ at the end of the script .*$/, '') }, expected, script);
  }
});

test('a script nested deeper than V8 can compile is still judged, by acorn', async () => {
  const { syntaxError } = await import('../../src/fsm/rules/pipyscript.ts');
  const { Script } = await import('node:vm');
  const deep = `x = ${'('.repeat(100_000)}1${')'.repeat(100_000)}`;
  assert.throws(() => new Script(deep), RangeError);
  assert.match(syntaxError(deep)?.message ?? 'parsed', /stack/);
});
