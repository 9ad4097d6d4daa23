import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { writeKubeconfig } from '../support/cli.ts';
import { servedExampleCluster } from '../support/example-kube.ts';

const SERVER = 'https://apply-yes-order.test:6443';
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

test('apply --yes: the output reads plan first, then each step, though the writes start before the plan is printed', async (t) => {
  const fake = servedExampleCluster(SERVER);
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  const said: string[] = [];
  fake.fault = (request) => {
    if (request.method === 'PATCH' && request.query?.['dryRun'] === undefined) said.push(`write: ${request.path}`);
    return 'pass';
  };
  const io: CliIo = {
    stdout: (text) => void said.push(`stdout: ${text}`),
    stderr: (text) => void said.push(`stderr: ${text}`),
    stdoutIsTty: true,
    stderrIsTty: true,
    env: { NO_COLOR: '1' },
    stdinIsTty: false,
    ask: () => Promise.reject(new Error('--yes asks nothing')),
  };
  const code = await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '--commit', 'abc123'], io);
  assert.equal(code, 0, said.join(''));
  const plan = said.findIndex((line) => line.startsWith('stdout: Environment staging'));
  const steps = said.flatMap((line, i) => (/^stderr: (create|update|delete) /.test(line) ? [i] : []));
  assert.ok(plan >= 0, 'the plan is printed');
  assert.ok(steps.length >= 3, `each step is said: ${said.join('')}`);
  assert.ok(steps.every((i) => i > plan), 'every step is said after the plan');
  const firstWrite = said.findIndex((line) => line.startsWith('write: '));
  assert.ok(firstWrite >= 0 && firstWrite < plan, `the first write reached the server before the plan was printed: ${said.filter((l) => !l.startsWith('stdout')).join('')}`);
  assert.match(said.at(-1)!, /^stdout: Applied \d+ changes to staging\./);
});
