import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadRepoConfig, parseRepoConfig, RepoConfigError } from '../../src/config/repo-config.ts';

const FILE = '.github/fsm-gitops.yml';
const parse = (text: string) => parseRepoConfig(FILE, new TextEncoder().encode(text));

test('accepts the DESIGN.md example as written, with defaults filled in', () => {
  const config = parse(`environments:
  staging:
    path: clusters/staging
    cluster: staging            # name of a cluster credential the app holds
    mesh: { name: fsm, namespace: fsm-system }
    deploy: on-merge            # on-merge | on-command | manual
    approvals: 1
  production:
    path: clusters/production
    cluster: prod-eu-1
    mesh: { name: fsm, namespace: fsm-system }
    deploy: on-command
    approvals: 2
`);
  assert.deepEqual(
    config.environments.map((e) => [e.name, e.path, e.cluster, e.deploy, e.approvals]),
    [
      ['staging', 'clusters/staging', 'staging', 'on-merge', 1],
      ['production', 'clusters/production', 'prod-eu-1', 'on-command', 2],
    ],
  );
  const staging = config.environments[0]!;
  assert.equal(staging.namespaces, undefined, 'default: the mesh monitored namespaces');
  assert.deepEqual([staging.teams, staging.restart, staging.prune], [[], 'manual', true]);
});

test('mesh defaults to fsm in fsm-system, deploy to manual', () => {
  const [env] = parse('environments:\n  dev:\n    path: envs/dev/\n    cluster: dev\n').environments;
  assert.deepEqual(env!.mesh, { name: 'fsm', namespace: 'fsm-system' });
  assert.equal(env!.deploy, 'manual');
  assert.equal(env!.path, 'envs/dev');
});

function assertConfigError(text: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => {
      assert.ok(error instanceof RepoConfigError, String(error));
      assert.equal(error.file, FILE);
      assert.equal(error.line, line, error.message);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('a bad value is one error at its line, saying what is allowed', () => {
  assertConfigError('environments:\n  staging:\n    path: a\n    cluster: s\n    deploy: on-push\n', 5, /deploy.*on-merge/);
});

test('an unknown key is reported with a suggestion', () => {
  assertConfigError('environments:\n  staging:\n    path: a\n    cluster: s\n    aprovals: 2\n', 5, /aprovals.*did you mean "approvals"/);
});

test('a missing required key names the environment', () => {
  assertConfigError('environments:\n  staging:\n    path: a\n', 2, /cluster/);
});

test('a path escaping the repository is refused', () => {
  assertConfigError('environments:\n  staging:\n    path: ../other\n    cluster: s\n', 3, /path/);
});

test('nested environment folders are refused', () => {
  assertConfigError('environments:\n  a:\n    path: clusters\n    cluster: s\n  b:\n    path: clusters/b\n    cluster: s\n', 6, /inside environments\.a\.path/);
});

test('an invalid mesh name is refused (RFC 1123 label)', () => {
  assertConfigError('environments:\n  a:\n    path: x\n    cluster: s\n    mesh: { name: My_Mesh }\n', 5, /mesh\.name/);
});

test('broken YAML and empty files are config errors too', () => {
  assertConfigError('environments:\n  a: [\n', 3, /YAML/);
  assertConfigError('', 1, /empty/);
});

test('a config over 256 KiB is refused by its size, never read', async () => {
  let reads = 0;
  const repo = {
    list: async () => [],
    read: async () => (reads++, new Uint8Array()),
    size: async (path: string) => (path === '.github/fsm-gitops.yml' ? 5 * 1024 * 1024 : undefined),
  };
  await assert.rejects(loadRepoConfig(repo), /\.github\/fsm-gitops\.yml:1:1: the file is 5\.0 MiB, over the 256\.0 KiB a config may be/);
  assert.equal(reads, 0);
});

test('a path with NUL, a control character, a direction override, "..", "//" or a leading "/" is one config error at its line', () => {
  for (const path of ['"clusters/sta\\0ging"', '"clusters/\\e[2Jx"', '"clusters/a\\rb"', '"clusters/\\u202Egnigats"', 'a/../b', '/etc/fsm', 'a//b', '"a\\x85b"']) {
    assertConfigError(`environments:\n  staging:\n    path: ${path}\n    cluster: s\n`, 3, /environments\.staging\.path: .* is not a folder of this repository.*no control characters/);
  }
});

test('a cluster name or a redact key with a control character or a direction override is a config error at its line', () => {
  for (const cluster of ['"a\\nb"', '"a\\e]8;;http://evil\\ab"', '"a\\u202Eb"']) {
    assertConfigError(`environments:\n  staging:\n    path: a\n    cluster: ${cluster}\n`, 4, /environments\.staging\.cluster: .*control character/);
  }
  assertConfigError('redact:\n  keys: ["a\\tb"]\nenvironments:\n  staging:\n    path: a\n    cluster: s\n', 2, /redact\.keys\[0\]: .*control character/);
});

test('a value or a name that does not match its pattern is told what the field takes, with an example, never as a control character', () => {
  const env = (line: string): string => `environments:\n  staging:\n    path: a\n    cluster: s\n    ${line}\n`;
  const cases: [string, RegExp][] = [
    ['mesh: { name: Bad_Name }', /mesh\.name: "Bad_Name" is not an RFC 1123 label: lowercase letters, digits and "-".*\(for example fsm-system\)$/],
    ['mesh: { namespace: FSM }', /mesh\.namespace: "FSM" is not an RFC 1123 label/],
    ['namespaces: [bookinfo, Pay_ments]', /namespaces\[1\]: "Pay_ments" is not an RFC 1123 label/],
    ['teams: [mesh-admins]', /teams\[0\]: "mesh-admins" is not a team: write organization\/team-slug \(for example my-org\/mesh-admins\)$/],
    ['chart: { upgrade: true, version: "1.6" }', /chart\.version: "1\.6" is not an exact chart version: write major\.minor\.patch .*\(for example 1\.6\.0/],
    ['chart: { upgrade: true, version: 1.6.x }', /chart\.version: "1\.6\.x" is not an exact chart version/],
    ['chart: { upgrade: true, repository: "ftp://charts.example" }', /chart\.repository: "ftp:\/\/charts\.example" is not an http:\/\/ or https:\/\/ URL/],
    ['chart: { upgrade: true, version: 1.6 }', /chart\.version: expected string, got number 1\.6: YAML read it as a number; write the text meant in quotes, an exact version such as "1\.6\.0"$/],
    ['mesh: { name: 1.10 }', /mesh\.name: expected string, got number 1\.1: YAML read it as a number; write the text meant in quotes$/],
  ];
  for (const [line, message] of cases) {
    assertConfigError(env(line), 5, message);
    assert.throws(() => parse(env(line)), (e: Error) => !/control character/.test(e.message), line);
  }
  assertConfigError('environments:\n  Staging_1:\n    path: a\n    cluster: s\n', 2, /environments\.Staging_1: the name "Staging_1" is not an RFC 1123 label/);
  // Shown JSON-quoted: a tab, a quote and a backslash are escaped, a long value is cut.
  assertConfigError(env('mesh: { name: "a\\tb\\"c\\\\d" }'), 5, /mesh\.name: "a\\tb\\"c\\\\d" is not an RFC 1123 label/);
  assertConfigError(env(`teams: [${'x'.repeat(300)}]`), 5, /teams\[0\]: "x{40}"… is not a team/);
});

test('chart: upgrades are off unless asked for; the defaults fill in; a bad version or repository is refused where it is written', () => {
  const config = parse(`environments:
  staging:
    path: clusters/staging
    cluster: staging
  production:
    path: clusters/production
    cluster: prod
    chart: { upgrade: true, version: v1.6.0, allowBreaking: true, wait: { timeoutSeconds: 600 } }
  dev:
    path: clusters/dev
    cluster: dev
    chart: { upgrade: true, repository: "http://127.0.0.1:8879" }
`);
  const [staging, production, dev] = config.environments;
  assert.equal(staging!.chart, undefined, 'absent: the policy digest of an older config does not move');
  assert.deepEqual(production!.chart, { upgrade: true, version: '1.6.0', repository: 'https://flomesh-io.github.io/fsm', allowBreaking: true, waitTimeoutSeconds: 600 });
  assert.deepEqual(dev!.chart, { upgrade: true, repository: 'http://127.0.0.1:8879', allowBreaking: false, waitTimeoutSeconds: 300 });
  assert.throws(() => parse('environments:\n  s:\n    path: a\n    cluster: c\n    chart: { upgrade: true, version: latest }\n'), (e: RepoConfigError) => e.line === 5 && /chart\.version/.test(e.message));
  assert.throws(() => parse('environments:\n  s:\n    path: a\n    cluster: c\n    chart: { repository: "file:///etc" }\n'), /chart\.repository/);
  assert.throws(() => parse('environments:\n  s:\n    path: a\n    cluster: c\n    chart: { upgrades: true }\n'), /upgrades/);
});
