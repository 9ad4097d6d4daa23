import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';

/** Runs `apply` with these extra options against a kubeconfig that does not exist: a refused option stops it before it reads one. */
async function apply(...extra: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io: CliIo = { stdout: () => {}, stderr: (text) => void (stderr += text), stdoutIsTty: false, stderrIsTty: false, env: {}, stdinIsTty: false, ask: () => Promise.reject(new Error('asks nothing')) };
  const code = await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', '/nonexistent/kubeconfig', '--yes', ...extra], io);
  return { code, stderr };
}

test('--commit and --actor, which the cluster records, must be one line of plain text: an escape sequence or a newline is refused (exit 3) naming the character', async () => {
  const link = await apply('--commit', 'abc\u001b]8;;http://evil\u0007x');
  assert.equal(link.code, 3, link.stderr);
  assert.match(link.stderr, /--commit holds a control or hidden character \(\\u001b at character 4\): it is recorded in the cluster, where kubectl prints it as it is; pass one line of plain text/);
  assert.doesNotMatch(link.stderr, /\u001b/, 'the refusal does not print the sequence itself');
  const forged = await apply('--actor', 'eve\nfake: line');
  assert.equal(forged.code, 3);
  assert.match(forged.stderr, /--actor holds a control or hidden character \(\\u000a at character 4\)/);
  assert.match((await apply('--actor', 'x'.repeat(201))).stderr, /--actor is 201 characters long: it is recorded in the cluster, at most 200/);
  assert.match((await apply('--commit', ' ')).stderr, /--commit is empty: name the commit applied, or leave the option out/);
  assert.match((await apply('--actor', 'alice@laptop', '--commit', 'a'.repeat(40) + '+dirty')).stderr, /kubeconfig/, 'plain text passes on to the cluster step');
});
