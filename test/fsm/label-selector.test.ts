import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorProblems } from '../../src/fsm/label-selector.ts';

test('a well-formed selector has no problems', () => {
  const selector = {
    matchLabels: { app: 'productpage', 'app.kubernetes.io/name': 'x' },
    matchExpressions: [
      { key: 'flomesh.io/monitored-by', operator: 'In', values: ['fsm'] },
      { key: 'tier', operator: 'Exists' },
    ],
  };
  assert.deepEqual(labelSelectorProblems(selector, ['sel']), []);
});

test('an unknown operator is reported with advice', () => {
  const [problem] = labelSelectorProblems({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, ['sel']);
  assert.deepEqual(problem!.path, ['sel', 'matchExpressions', 0, 'operator']);
  assert.match(problem!.message, /In with one value/);
  const [typo] = labelSelectorProblems({ matchExpressions: [{ key: 'a', operator: 'Exist' }] }, []);
  assert.match(typo!.message, /did you mean "Exists"/);
});

test('operators with the wrong number of values, and bad keys and values', () => {
  const problems = labelSelectorProblems(
    {
      matchLabels: { 'bad key': 'v', ok: 'not valid!' },
      matchExpressions: [
        { key: 'a', operator: 'In', values: [] },
        { key: 'b', operator: 'Exists', values: ['x'] },
      ],
    },
    [],
  );
  assert.equal(problems.length, 4, JSON.stringify(problems));
});
