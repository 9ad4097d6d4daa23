import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelmBinary } from '../../src/helm/helm-binary.ts';

/** What the fake helm saw on one run: its arguments, environment, kubeconfig and values file (text and mode). */
export interface FakeHelmRun {
  args: string[];
  env: Record<string, string>;
  kubeconfig?: { path: string; mode: number; text: string };
  values?: { path: string; mode: number; text: string };
}

/**
 * A stand-in for the helm binary (a Node script) that records each run in `<dir>/runs.jsonl` and acts by its
 * first argument: `sleep` (starts a child `sleep`, records both PIDs, never exits), `flood` (prints 40 MB),
 * `fail` (prints the kubeconfig's token in an error, exits 1), `fail-rollout` (helm 4's
 * logged-then-said error of a timed-out rollout, exits 1), `upgrade` (prints a release as JSON),
 * `history` and `get` (print what helm prints; `upgrade renders-nothing` leaves the manifest out, as helm does for an empty one), `pull` (writes an archive into --destination), anything else prints `ok`.
 */
export async function fakeHelm(dir: string): Promise<{ locate: () => Promise<HelmBinary>; runs: () => Promise<FakeHelmRun[]>; pids: () => Promise<number[]> }> {
  const path = join(dir, 'helm');
  const log = join(dir, 'runs.jsonl');
  const pidFile = join(dir, 'pids');
  await writeFile(path, `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
const file = (p) => (p && fs.existsSync(p) ? { path: p, mode: fs.statSync(p).mode & 0o777, text: fs.readFileSync(p, 'utf8') } : undefined);
const kubeconfig = file(args[args.indexOf('--kubeconfig') + 1]);
const values = args.includes('-f') ? file(args[args.indexOf('-f') + 1]) : undefined;
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, env: process.env, kubeconfig, values }) + '\\n');
switch (args[0]) {
  case 'sleep': {
    const child = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
    fs.writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + child.pid);
    setInterval(() => {}, 1000);
    break;
  }
  case 'flood': {
    const chunk = 'x'.repeat(1024 * 1024);
    let n = 0;
    const write = () => { while (n < 40) { n++; if (!process.stdout.write(chunk)) return process.stdout.once('drain', write); } };
    write();
    break;
  }
  case 'fail':
    console.error('Error: Kubernetes cluster unreachable: Unauthorized (token ' + /token: (\\S+)/.exec(kubeconfig.text)[1] + ')');
    process.exit(1);
  case 'fail-rollout':
    // helm 4's stderr for a rollout wait that timed out: the error logged, then said (captured from helm 4 and FSM's chart).
    console.error('level=WARN msg="upgrade failed" name=fsm error="resource Deployment/fsm-system/fsm-controller not ready. status: InProgress, message: Replicas: 0/4\\\\ncontext deadline exceeded"');
    console.error('Error: UPGRADE FAILED: resource Deployment/fsm-system/fsm-controller not ready. status: InProgress, message: Replicas: 0/4\\ncontext deadline exceeded');
    process.exit(1);
  case 'upgrade':
    // helm leaves out an empty manifest (release.Release's json:"manifest,omitempty"): a chart that renders nothing.
    console.log(JSON.stringify(args[1] === 'renders-nothing' ? { name: args[1], version: 7 } : { name: args[1], version: 7, manifest: '---\\nkind: ConfigMap\\n' }));
    break;
  case 'history':
    console.log(JSON.stringify([{ revision: 1, updated: '2026-12-01T10:00:00Z', status: 'superseded', chart: 'fsm-1.5.1', app_version: 'v1.5.1', description: 'Install complete' }, { revision: 2, updated: '2026-12-01T10:05:00Z', status: 'deployed', chart: 'fsm-1.5.1', app_version: 'v1.5.1', description: 'Upgrade complete' }]));
    break;
  case 'pull': {
    // helm pull NAME --repo R --version V --destination DIR: NAME-V.tgz in DIR ("two" writes a second archive).
    const dest = args[args.indexOf('--destination') + 1];
    const version = args[args.indexOf('--version') + 1];
    fs.writeFileSync(dest + '/' + args[1] + '-' + version + '.tgz', 'archive of ' + args[1] + ' ' + version);
    if (version === 'two') fs.writeFileSync(dest + '/other.tgz', 'x');
    break;
  }
  case 'get':
    console.log(args[1] === 'values' ? 'null' : '---\\nkind: ConfigMap\\n');
    break;
  default:
    console.log('ok');
}
`);
  await chmod(path, 0o755);
  return {
    locate: async () => ({ path, source: 'FSM_GITOPS_HELM' }),
    runs: async () => (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as FakeHelmRun),
    pids: async () => (await readFile(pidFile, 'utf8')).split(' ').map(Number),
  };
}
