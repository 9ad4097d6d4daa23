import { parseYamlFile } from '../../src/desired/yaml-file.ts';
const r = parseYamlFile('spec:\n  __proto__:\n    polluted: yes\n  a: 1\n', 'f.yaml');
if (r.ok) {
  const spec = (r.documents[0]!.value as any).spec;
  console.log(Object.keys(spec), Object.getOwnPropertyNames(spec), Object.getPrototypeOf(spec) === Object.prototype, spec.polluted, JSON.stringify(r.documents[0]!.value));
}
const r2 = parseYamlFile('a: &a {polluted: yes}\nb:\n  <<: *a\n__proto__: *a\n', 'f.yaml');
if (r2.ok) { const v = r2.documents[0]!.value as any; console.log(Object.keys(v), JSON.stringify(v), v.polluted, Object.getPrototypeOf(v)===Object.prototype); }
console.log(({} as any).polluted);
