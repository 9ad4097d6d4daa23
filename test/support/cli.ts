import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(
  argv: string[],
  options: Partial<Pick<CliIo, 'stdoutIsTty' | 'stderrIsTty' | 'stdinIsTty' | 'env'>> & { answers?: string[] } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdoutIsTty: options.stdoutIsTty ?? false,
    stderrIsTty: options.stderrIsTty ?? false,
    env: options.env ?? {},
    stdinIsTty: options.stdinIsTty ?? false,
    ask: async (question) => {
      stderr += question;
      const answer = options.answers?.shift();
      if (answer === undefined) throw new Error(`unexpected prompt: ${question}`);
      return answer;
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export const EXAMPLE = ['--repo', 'examples/gitops', '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml'];

/** A writable copy of the example repository in a temp folder, removed by the returned cleanup. */
export async function copyExampleRepo(): Promise<{ repo: string; cleanup(): Promise<void> }> {
  const repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-repo-'));
  await cp('examples/gitops', repo, { recursive: true });
  return { repo, cleanup: () => rm(repo, { recursive: true, force: true }) };
}

/**
 * A kubeconfig file in a temp folder (removed after the test) with one cluster `cluster` at `server`, a
 * token user, and one context `context` for it, which is the current-context. `insecure` turns the
 * cluster's TLS verification off, which client-node needs for an http:// server; `proxyUrl` is the cluster's
 * proxy-url.
 */
export async function writeKubeconfig(
  t: { after(fn: () => Promise<void>): void },
  options: { server: string; cluster: string; context: string; insecure?: boolean; proxyUrl?: string },
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  const { server, cluster, context } = options;
  await writeFile(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: ${cluster}, cluster: { server: "${server}"${options.insecure ? ', insecure-skip-tls-verify: true' : ''}${options.proxyUrl ? `, proxy-url: "${options.proxyUrl}"` : ''} } }]`,
      'users: [{ name: me, user: { token: a-token } }]',
      `contexts: [{ name: ${context}, context: { cluster: ${cluster}, user: me } }]`,
      `current-context: ${context}`,
    ].join('\n'),
  );
  return path;
}
