import { planFiles } from '../support/plan-fixture.ts';
import { pluginYaml, ENABLE_PLUGINS } from '../support/manifests.ts';

function bomb(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i); const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return levels.join('\n') + '\n';
}
function bomb2(): string { // under maxAliases (1000) but large expansion
  const levels = ['a0: &a0 [x,x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 30; i++) levels.push(`a${i}: &a${i} [*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1},*a${i-1}]`);
  return levels.join('\n') + '\n';
}
const mergeFlood = () => 'x:\n  <<: [' + Array(100_000).fill('{a: 1}').join(',') + ']\n';
const mergeFlood2 = () => { const anchors = Array.from({length: 900}, (_, i) => `a${i}: &a${i} {k${i}: 1}`); return anchors.join('\n') + '\nx:\n  <<: [' + anchors.map((_, i) => `*a${i}`).join(',') + ']\n'; };
const deepSeq = () => '['.repeat(100_000) + ']'.repeat(100_000);
const deepSeqUnclosed = () => '['.repeat(100_000);
const deepMap = () => { let s = ''; for (let i = 0; i < 100_000; i++) s += ' '.repeat(i) + `k${i}:\n`; return s; };
const deepFlowMap = () => '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000);
const deepBlockSeq = () => '- '.repeat(100_000) + 'x\n';
const big20 = () => '# ' + 'x'.repeat(20 * 1024 * 1024) + '\n';
const big3 = () => { const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: big', 'data:']; let i = 0; let s = lines.join('\n') + '\n'; while (s.length < 3 * 1024 * 1024) s += `  key${i++}: "value number ${i} padding padding padding"\n`; return s; };
const big3Mesh = () => { let s = ENABLE_PLUGINS + '  # '; s += 'pointless '.repeat(300_000) + '\n'; return s; };
const big3Docs = () => { let s = ''; let i = 0; while (s.length < 3 * 1024 * 1024) s += `---\n# doc ${i++}\n`; return s; };
const longLine = () => ENABLE_PLUGINS.replace('spec:\n', `  annotations:\n    note: "${'y'.repeat(1024 * 1024)}"\nspec:\n`);
const hugeScript = () => { let js = ''; let i = 0; while (js.length < 1024 * 1024) js += `var v${i} = ${i++}; pipy();\n`; return pluginYaml('cors', js); };
const cases: Record<string, () => Record<string, string | Uint8Array>> = {
  bomb: () => ({ 'a.yaml': bomb() }),
  bomb2: () => ({ 'a.yaml': bomb2() }),
  mergeFlood: () => ({ 'a.yaml': mergeFlood() }),
  mergeFlood2: () => ({ 'a.yaml': mergeFlood2() }),
  deepSeq: () => ({ 'a.yaml': deepSeq() }),
  deepSeqUnclosed: () => ({ 'a.yaml': deepSeqUnclosed() }),
  deepMap: () => ({ 'a.yaml': deepMap() }),
  deepFlowMap: () => ({ 'a.yaml': deepFlowMap() }),
  deepBlockSeq: () => ({ 'a.yaml': deepBlockSeq() }),
  big20: () => ({ 'a.yaml': big20() }),
  big3: () => ({ 'a.yaml': big3() }),
  big3Mesh: () => ({ 'a.yaml': big3Mesh() }),
  big3Docs: () => ({ 'a.yaml': big3Docs() }),
  longLine: () => ({ 'a.yaml': longLine() }),
  hugeScript: () => ({ 'm.yaml': ENABLE_PLUGINS, 'p.yaml': hugeScript() }),
  png: () => ({ 'a.yaml': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]) }),
  random: () => { const b = new Uint8Array(64 * 1024); for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761 >>> 13) & 0xff; return { 'a.yaml': b }; },
};
for (const [name, make] of Object.entries(cases)) {
  try {
    const files = make();
    const t = Date.now();
    const plan = await planFiles(files);
    console.log(name, Date.now() - t, 'ms', JSON.stringify(plan.findings.map((f) => [f.code, f.severity, f.file, f.line, f.path, f.message.slice(0, 160)])).slice(0, 800));
  } catch (e) {
    console.log(name, 'THREW', String((e as Error).stack).slice(0, 1000));
  }
}
