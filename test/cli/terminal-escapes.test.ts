import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { OWN_STYLE_CODES } from '../../src/render/ansi.ts';
import { terminalSafe, visible } from '../../src/render/terminal-text.ts';
import { renderText } from '../../src/render/text.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { pluginConfigYaml } from '../support/manifests.ts';

/** An OSC 8 hyperlink, a clear-screen, a carriage return and a right-to-left override: what a hostile name may hold. */
const HOSTILE = '\u001b]8;;http://evil\u0007\u001b[2J\rtail\u202e';
/** The same, as a YAML double-quoted scalar writes it. */
const HOSTILE_YAML = '"\\e]8;;http://evil\\a\\e[2J\\rtail\\u202E"';
/** A file name cannot hold a slash. */
const HOSTILE_FILE = 'x\u001b]8;;https:evil\u0007\u001b[2J\r\u202e.yaml';

/** Anything a terminal would act on, once the renderer's own colours are taken out. */
function assertInert(output: string, where: string): void {
  const rest = output.split(OWN_STYLE_CODES).filter((_, i) => i % 2 === 0).join('');
  const hidden = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.exec(rest);
  assert.equal(hidden, null, `${where}: a raw ${JSON.stringify(hidden?.[0])} reaches the terminal`);
}

async function hostileRepo(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  const env = join(repo, 'clusters/staging');
  await writeFile(join(env, HOSTILE_FILE), 'kind: [\n');
  await writeFile(join(env, 'hostile-config.yaml'), pluginConfigYaml('hostile', { config: `${HOSTILE_YAML}: ${HOSTILE_YAML}\nallowOrigins:\n  - exact: http://example.com` }));
  const meshConfig = join(env, 'meshconfig.yaml');
  await writeFile(meshConfig, (await readFile(meshConfig, 'utf8')).replace('  traffic:\n', `  traffic:\n    ${HOSTILE_YAML}: ${HOSTILE_YAML}\n`));
  return repo;
}

test('visible shows each control, escape and direction character as its \\u escape', () => {
  assert.equal(visible(HOSTILE), '\\u001b]8;;http://evil\\u0007\\u001b[2J\\u000dtail\\u202e');
  assert.equal(visible('a\nb\tc'), 'a\\u000ab\tc');
  assert.equal(visible('a\nb', true), 'a\nb');
  assert.equal(visible('a\u061cb'), 'a\\u061cb', 'the Arabic letter mark is a direction mark too');
  assert.equal(visible('\u0085\u009b\u2028\u2066\ufeff'), '\\u0085\\u009b\\u2028\\u2066\\ufeff');
});

test('terminalSafe lets only the renderer\'s own colours through', () => {
  assert.equal(terminalSafe('\u001b[31mred\u001b[39m \u001b[8mconcealed\u001b[0m'), '\u001b[31mred\u001b[39m \\u001b[8mconcealed\\u001b[0m');
});

test('a hostile file name, YAML key and value reach the text plan as visible escapes, colours intact', async (t) => {
  const repo = await hostileRepo(t);
  const run = await cli(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml'], { stdoutIsTty: true });
  assert.equal(run.code, 1, run.stderr);
  assertInert(run.stdout, 'text');
  assert.match(run.stdout, /\u001b\[1mEnvironment staging/, 'the renderer still colours');
  assert.ok(run.stdout.includes('x\\u001b]8;;https:evil\\u0007\\u001b[2J\\u000d\\u202e.yaml'), 'the file name, shown');
  assert.ok(run.stdout.includes('\\u001b]8;;http://evil\\u0007'), 'the key and value, shown');
});

test('Markdown and JSON on stdout are inert too; JSON still parses to the same values', async (t) => {
  const repo = await hostileRepo(t);
  for (const format of ['markdown', 'json']) {
    const run = await cli(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml', '--format', format], { stdoutIsTty: true });
    assertInert(run.stdout, format);
    if (format === 'json') {
      const files = (JSON.parse(run.stdout) as { environments: { findings: { file: string | null }[] }[] }).environments[0]!.findings.map((f) => f.file);
      assert.ok(files.includes(`clusters/staging/${HOSTILE_FILE}`), 'the exact file name, once parsed');
    }
  }
});

test('errors on stderr show data visibly: an environment name and a config path', async (t) => {
  const env = await cli(['plan', '--repo', 'examples/gitops', '--env', HOSTILE, '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(env.code, 3);
  assertInert(env.stderr, 'stderr');
  assert.ok(env.stderr.includes('\\u001b]8;;http://evil\\u0007'), env.stderr);
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  await writeFile(join(repo, '.github/fsm-gitops.yml'), `environments:\n  staging:\n    path: "clusters/\\u202Egnigats"\n    cluster: staging\n`);
  const config = await cli(['plan', '--repo', repo, '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(config.code, 3);
  assertInert(config.stderr, 'config error');
  assert.match(config.stderr, /fsm-gitops\.yml:3:5: .*clusters\/\\u202egnigats/);
});

test('data that spells the renderer\'s own colour codes is escaped by the text renderer, before colouring', () => {
  const plan = { environments: [{ name: 'staging', path: 'clusters/staging', liveSource: 'snapshot', changes: [], restarts: [], findings: [{ severity: 'error' as const, code: 'manifest-invalid' as const, file: '\u001b[31mred.yaml', line: 1, message: 'bad\n\u001b[32mgreen' }] }] };
  const text = renderText(plan, { color: true });
  assert.ok(text.includes('\\u001b[31mred.yaml') && text.includes('\\u001b[32mgreen'), text);
  assert.equal(terminalSafe(text), text, 'nothing left for the writer to escape');
});
