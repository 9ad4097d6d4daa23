import { planFiles } from '../support/plan-fixture.ts';
import { ENABLE_PLUGINS } from '../support/manifests.ts';
for (const extra of ['  __proto__:\n    polluted: yes\n', '  bogus:\n    polluted: yes\n', '  featureFlags2: {}\n']) {
  const plan = await planFiles({ 'a.yaml': ENABLE_PLUGINS + extra });
  console.log(JSON.stringify(plan.findings.map(f => [f.code, f.path, f.line, f.message.slice(0,100)])));
  const c = plan.changes.find(c => c.kind === 'MeshConfig')!;
  console.log(JSON.stringify(c.after?.['spec']).slice(0, 300), c.fields.length, JSON.stringify(c.fields).slice(0,300));
}
console.log(({} as any).polluted);
