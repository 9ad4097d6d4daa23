import { planFiles } from '../support/plan-fixture.ts';
import { pluginYaml, ENABLE_PLUGINS, chainYaml } from '../support/manifests.ts';

const cases: Record<string, Record<string, string | Uint8Array>> = {
  unclosed: { 'a.yaml': 'apiVersion: v1\nkind: [Secret\nmetadata:\n  name: x\n' },
  badIndent: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   namespace: y\n' },
  tab: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n' },
  quote: { 'a.yaml': 'apiVersion: v1\nkind: "ConfigMap\nmetadata:\n  name: x\n' },
  dupTop: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n' },
  list: { 'a.yaml': '- a\n- b\n' },
  scalar: { 'a.yaml': 'hello\n' },
  empty: { 'a.yaml': '' },
  comments: { 'a.yaml': '# just a comment\n# another\n' },
  tagBinary: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nbinaryData:\n  a: !!binary aGVsbG8=\n' },
  tagJs: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !!js/function "function(){}"\n' },
  tagFoo: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: !foo x\n' },
  proto: { 'a.yaml': ENABLE_PLUGINS + '  __proto__:\n    polluted: yes\n' },
  proto2: { 'a.yaml': '__proto__:\n  polluted: yes\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' },
  traversal: { 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('../../x', null), '/x.js': 'pipy()\n' },
  badscript: { 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('cors', null), 'cors.js': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
  numscript: { 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('cors', null, '  pipyscript: 42\n') },
  valuesList: { 'values.yaml': '- a\n' },
  values2: { 'values.yaml': 'a: 1\n---\nb: 2\n' },
  kindList: { 'a.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - 42\n  - apiVersion: v1\n  - {apiVersion: v1, kind: ConfigMap, metadata: []}\n' },
  metaList: { 'a.yaml': 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata:\n  - name: x\n' },
  noname: { 'a.yaml': 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata:\n  namespace: x\n' },
  wrongGroup: { 'a.yaml': 'apiVersion: example.com/v1\nkind: Plugin\nmetadata:\n  name: x\n' },
  nsDotDot: { 'meshconfig.yaml': ENABLE_PLUGINS, 'c.yaml': chainYaml('c', { namespace: '../../etc' }), 'p.yaml': pluginYaml('cors') },
  crlf: { 'a.yaml': 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n' },
  bom: { 'meshconfig.yaml': '\ufeff' + ENABLE_PLUGINS },
  latin1: { 'a.yaml': new Uint8Array([...new TextEncoder().encode('a: caf'), 0xe9, 0x0a]) },
  utf16: { 'a.yaml': new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x3a, 0x00]) },
  merge: { 'a.yaml': 'base: &b {a: 1}\nx:\n  <<: [' + Array(20000).fill('*b').join(',') + ']\n' },
};
for (const [name, files] of Object.entries(cases)) {
  try {
    const t = Date.now();
    const plan = await planFiles(files);
    console.log(name, Date.now() - t, 'ms', JSON.stringify(plan.findings.map((f) => [f.code, f.severity, f.file, f.line, f.path, f.message.slice(0, 160)])), plan.changes.filter(c=>c.action!=='unchanged'&& c.action!=='delete').map(c=>c.kind+' '+c.name));
  } catch (e) {
    console.log(name, 'THREW', (e as Error).stack);
  }
}
console.log('polluted', ({} as any).polluted);
