import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from '../../src/commands/command.ts';
import { parseComment } from '../../src/commands/parse-command.ts';

type Expected = { command: Command } | { error: RegExp } | 'not-a-command';

// Modelled on Atlantis's comment_parser_test.go: every row is one comment and what the parser makes of it.
const TABLE: [string, Expected][] = [
  // Not addressed to fsm-gitops: silence.
  ['', 'not-a-command'],
  ['LGTM, thanks!', 'not-a-command'],
  ['fsm plan', 'not-a-command'],
  ['please run /fsm plan', 'not-a-command'],
  ['/fix the typo', 'not-a-command'],
  ['/fsmplan', 'not-a-command'],
  ['/assign @bob', 'not-a-command'],
  ['/fsm plan\nand also apply', 'not-a-command'],
  ['/fsm plan\n\n/fsm apply', 'not-a-command'],
  ['Looks good.\n/fsm apply staging', 'not-a-command'],
  // A line GitHub shows as code (an indented code block: four columns of indentation) is an example, not a command.
  ['    /fsm apply staging', 'not-a-command'],
  ['\n      /fsm apply staging\n', 'not-a-command'],
  ['\t/fsm apply staging', 'not-a-command'],
  ['  \t/fsm apply staging', 'not-a-command'],
  // Commands.
  ['/fsm help', { command: { name: 'help' } }],
  ['/fsm help apply', { command: { name: 'help', topic: 'apply' } }],
  ['/fsm plan', { command: { name: 'plan', environments: [] } }],
  ['/fsm plan staging production', { command: { name: 'plan', environments: ['staging', 'production'] } }],
  ['/fsm plan staging staging', { command: { name: 'plan', environments: ['staging'] } }],
  ['/fsm apply staging', { command: { name: 'apply', environments: ['staging'] } }],
  ['/fsm apply', { command: { name: 'apply', environments: [] } }],
  ['/fsm unlock staging', { command: { name: 'unlock', environments: ['staging'] } }],
  ['/fsm status', { command: { name: 'status' } }],
  ['/fsm rollback staging 1234', { command: { name: 'rollback', environment: 'staging', target: { kind: 'deployment', id: 1234 } } }],
  ['/fsm rollback staging 1234567', { command: { name: 'rollback', environment: 'staging', target: { kind: 'deployment', id: 1234567, sha: '1234567' } } }],
  ['/fsm rollback staging ' + '1'.repeat(40), { command: { name: 'rollback', environment: 'staging', target: { kind: 'sha', sha: '1'.repeat(40) } } }],
  ['/fsm rollback staging ABC1234', { command: { name: 'rollback', environment: 'staging', target: { kind: 'sha', sha: 'abc1234' } } }],
  ['/fsm rollback staging ' + 'f'.repeat(40), { command: { name: 'rollback', environment: 'staging', target: { kind: 'sha', sha: 'f'.repeat(40) } } }],
  ['/fsm apply --help', { command: { name: 'help', topic: 'apply' } }],
  ['/fsm rollback -h', { command: { name: 'help', topic: 'rollback' } }],
  // Whitespace, blank lines and backticks around the one line.
  ['  /fsm   apply    staging  ', { command: { name: 'apply', environments: ['staging'] } }],
  ['   /fsm apply staging', { command: { name: 'apply', environments: ['staging'] } }],
  ['/fsm apply staging\n\n\n', { command: { name: 'apply', environments: ['staging'] } }],
  ['/fsm apply staging\r\n\r\n', { command: { name: 'apply', environments: ['staging'] } }],
  ['\n/fsm plan\n', { command: { name: 'plan', environments: [] } }],
  ['`/fsm apply staging`', { command: { name: 'apply', environments: ['staging'] } }],
  ['```/fsm plan```', { command: { name: 'plan', environments: [] } }],
  ['/fsm\tstatus', { command: { name: 'status' } }],
  // Recognised, and wrong: an error with usage, never silence.
  ['/fsm', { error: /^no command given$/ }],
  ['/fsm aply staging', { error: /unknown command "aply": did you mean "apply"\?/ }],
  ['/fsm plna', { error: /unknown command "plna": did you mean "plan"\?/ }],
  ['/fsm Apply staging', { error: /unknown command "Apply": did you mean "apply"\?/ }],
  ['/fsm deploy staging', { error: /^unknown command "deploy"$/ }],
  ['/fms apply staging', { error: /unknown command "\/fms": did you mean "\/fsm"\?/ }],
  ['/FSM plan', { error: /did you mean "\/fsm"\?/ }],
  ['/fs plan', { error: /did you mean "\/fsm"\?/ }],
  ['/fsm apply staging --force', { error: /unknown flag "--force" for apply \(apply takes no flags\)/ }],
  ['/fsm apply --hepl', { error: /unknown flag "--hepl" for apply: did you mean "--help"\?/ }],
  ['/fsm apply -auto-approve', { error: /unknown flag "-auto-approve"/ }],
  ['/fsm status now', { error: /status takes no arguments; stray "now"/ }],
  ['/fsm help apply plan', { error: /help takes at most one command; stray "plan"/ }],
  ['/fsm help aply', { error: /no command "aply": did you mean "apply"\?/ }],
  ['/fsm apply Staging', { error: /"Staging" is not an environment name/ }],
  ['/fsm apply stag_ing', { error: /"stag_ing" is not an environment name/ }],
  ['/fsm rollback staging', { error: /rollback needs an environment and a deployment id or commit SHA/ }],
  ['/fsm rollback', { error: /rollback needs an environment/ }],
  ['/fsm rollback staging abc123 now', { error: /stray "now"/ }],
  ['/fsm rollback staging v1.2', { error: /"v1\.2" is neither a deployment id \(digits\) nor a commit SHA/ }],
  ['/fsm rollback staging abc12', { error: /"abc12" is neither/ }],
  ['/fsm apply ' + 'a '.repeat(30), { error: /too many words/ }],
  ['/fsm apply ' + 'a'.repeat(600), { error: /longer than 500 characters/ }],
  // Whatever the user typed comes back printable and short.
  ['/fsm \u0007bell', { error: /unknown command "\\u0007bell"/ }],
  ['/fsm apply staging\u200b', { error: /"staging\\u200b" is not an environment name/ }],
  ['/fsm ' + 'x'.repeat(100), { error: /unknown command "x{40}…"/ }],
  // A look-alike letter is named, so "did you mean" does not read as the same word twice.
  ['/fsm \u0430pply staging', { error: /unknown command "\\u0430pply": did you mean "apply"\?/ }],
  ['/fsm apply st\u0430ging', { error: /"st\\u0430ging" is not an environment name/ }],
];

for (const [comment, expected] of TABLE) {
  test(`parse ${JSON.stringify(comment.length > 60 ? `${comment.slice(0, 60)}…` : comment)}`, () => {
    const result = parseComment(comment);
    if (expected === 'not-a-command') return assert.deepEqual(result, { kind: 'not-a-command' });
    if ('command' in expected) return assert.deepEqual(result, { kind: 'command', command: expected.command });
    assert.equal(result.kind, 'error', JSON.stringify(result));
    if (result.kind !== 'error') return;
    assert.match(result.error, expected.error);
    assert.match(result.usage, /^Usage/);
  });
}

test('an error for one command shows that command\'s usage; other errors show every command', () => {
  const rollback = parseComment('/fsm rollback staging');
  assert.ok(rollback.kind === 'error' && rollback.usage.includes('/fsm rollback <env> <deployment-id|sha>') && !rollback.usage.includes('/fsm plan'));
  const unknown = parseComment('/fsm aply');
  assert.ok(unknown.kind === 'error' && ['help', 'plan', 'apply', 'unlock', 'status', 'rollback'].every((c) => unknown.usage.includes(`/fsm ${c}`)));
});
