import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EnvironmentPlan, ResourceChange } from '../../src/plan/plan-types.ts';
import { PlanShownWhileApplying } from '../../src/cli/plan-shown-while-applying.ts';
import { renderText } from '../../src/render/text.ts';
import { prepareDiffs } from '../../src/render/unified-diff.ts';
import { planFiles } from '../support/plan-fixture.ts';

const plugin = (i: number): string => `apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata:\n  name: p${i}\nspec:\n  priority: ${i}\n  pipyscript: "pipy()"\n`;
const pluginsPlan = (count: number): Promise<EnvironmentPlan> => planFiles(Object.fromEntries(Array.from({ length: count }, (_, i) => [`plugins/p${i}.yaml`, plugin(i)])));

/** A pause that resolves only when the test says so, counting how often it was awaited. */
function gate(): { pause: () => Promise<void>; open(): void; awaited(): number } {
  let opened = false;
  let count = 0;
  const waiting: Array<() => void> = [];
  return {
    pause: () => {
      count++;
      return opened ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
    },
    open: () => {
      opened = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
    awaited: () => count,
  };
}

function recorder(): { io: { stdout(text: string): void; stderr(text: string): void }; said: string[] } {
  const said: string[] = [];
  return { io: { stdout: (text) => void said.push(`stdout ${text}`), stderr: (text) => void said.push(`stderr ${text}`) }, said };
}

test('apply --yes: nothing is printed before the first pause ends; progress said meanwhile follows the plan, in order', async () => {
  const plan = await pluginsPlan(3);
  const { io, said } = recorder();
  const { pause, open } = gate();
  const shown = new PlanShownWhileApplying(plan, io, false, pause);
  shown.stderr('create Plugin p0\n');
  shown.stderr('create Plugin p1\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(said, [], 'held until the pause ends: the writes sent in this turn go out first');
  open();
  await shown.done();
  shown.stderr('create Plugin p2\n');
  assert.deepEqual(said, [`stdout ${renderText({ environments: [plan] }, { color: false })}`, 'stderr create Plugin p0\n', 'stderr create Plugin p1\n', 'stderr create Plugin p2\n']);
});

test('the printed text is the render of the plan, in colour when asked', async () => {
  const plan = await pluginsPlan(2);
  const { io, said } = recorder();
  await new PlanShownWhileApplying(plan, io, true, () => Promise.resolve()).done();
  assert.deepEqual(said, [`stdout ${renderText({ environments: [plan] }, { color: true })}`]);
});

test('a render that fails is said on stderr, the held progress is still said, and done() resolves', async () => {
  const plan = await pluginsPlan(1);
  const cyclic: Record<string, unknown> = { apiVersion: 'v1' };
  cyclic['self'] = cyclic;
  const broken: EnvironmentPlan = { ...plan, changes: [{ ...plan.changes[0]!, after: cyclic } as ResourceChange] };
  const { io, said } = recorder();
  const { pause, open } = gate();
  const shown = new PlanShownWhileApplying(broken, io, false, pause);
  shown.stderr('create Plugin p0\n');
  open();
  await shown.done();
  assert.equal(said.length, 2, said.join(''));
  assert.match(said[0]!, /^stderr fsm-gitops: the plan could not be printed: /);
  assert.equal(said[1], 'stderr create Plugin p0\n');
});

test('prepareDiffs pauses between slices of work; the render after it is unchanged', async () => {
  const plan = await pluginsPlan(5);
  const changed = plan.changes.filter((c) => c.action !== 'unchanged').length;
  assert.ok(changed >= 5, 'the five Plugins are created');
  const { pause, open, awaited } = gate();
  open();
  await prepareDiffs(plan.changes, pause, 0);
  assert.equal(awaited(), changed, 'a zero-length slice pauses before each diff');
  const fresh = await pluginsPlan(5);
  assert.equal(renderText({ environments: [plan] }, { color: false }), renderText({ environments: [fresh] }, { color: false }));
  const counted = gate();
  counted.open();
  await prepareDiffs(plan.changes, counted.pause, 60_000);
  assert.equal(counted.awaited(), 0, 'within one slice: no pause');
});
