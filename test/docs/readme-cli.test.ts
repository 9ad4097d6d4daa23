/**
 * The README says what `--help` says: each command's usage lines, and the snapshot command plan's findings and
 * help give (a copy in one place that drifts from the other sends users to a flag that does not exist).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { APPLY_HELP, PLAN_HELP } from '../../src/cli/help.ts';
import { snapshotCommand } from '../../src/live/live-gaps.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The usage lines of a help text, without their indentation (the README's block is indented by two less). */
function usage(help: string): string {
  const lines = help.split('\n');
  const end = lines.indexOf('', 1);
  return lines.slice(1, end).map((line) => line.slice(2)).join('\n');
}

test("the README's usage of plan and apply is --help's", () => {
  for (const help of [PLAN_HELP, APPLY_HELP]) assert.ok(README.includes(usage(help)), `README.md lacks:\n${usage(help)}`);
});

test("the README's snapshot command is the one plan's findings and --help give, with managedFields", () => {
  const command = snapshotCommand({ name: 'fsm', namespace: 'fsm-system' });
  assert.match(command, /--show-managed-fields/);
  assert.ok(README.includes(command), `README.md lacks:\n${command}`);
  assert.ok(PLAN_HELP.includes(command.replace(/^/gm, '  ')));
});
