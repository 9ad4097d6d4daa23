import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTempFolder } from '../core/temp-folder.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import type { Redactor } from '../redact/redactor.ts';
import { findHelm, type HelmBinary } from './helm-binary.ts';
import { helmKubeconfig } from './helm-kubeconfig.ts';

/** A rendered FSM chart is ~200 KB; a release history or values a few KB. */
export const MAX_STDOUT_BYTES = 32 * 1024 * 1024;
export const MAX_STDERR_BYTES = 256 * 1024;
/** After SIGTERM (helm cancels its operation and records it as failed), SIGKILL this much later. */
export const KILL_GRACE_MS = 2_000;
/** How much of helm's stderr an error quotes: its start (what failed) and its end (why), with the middle cut. */
const ERROR_HEAD_CHARS = 600;
const ERROR_TAIL_CHARS = 1_400;

/** An argument naming a file the run writes into its private temp folder (mode 0600), removed after. */
export interface FileArg {
  file: string;
}

export interface HelmRun {
  args: readonly (string | FileArg)[];
  /** File name → contents, written before helm starts; FileArg names them. */
  files?: Readonly<Record<string, string>>;
  /** The cluster helm talks to; without it helm gets an empty kubeconfig (template needs no cluster). */
  cluster?: ClusterConnection;
  /** Kill helm after this many ms; give less than the time left, by KILL_GRACE_MS at least. */
  timeoutMs: number;
  /** What the run is for, in errors: `upgrade release fsm-system/fsm`. */
  what: string;
  /**
   * The run is no longer wanted once aborted: helm is not started, or its process group is stopped as on a timeout
   * (SIGTERM, SIGKILL after KILL_GRACE_MS); the run rejects with `signal.reason` once helm has exited.
   */
  signal?: AbortSignal | undefined;
  /**
   * A folder in the run's temp folder (named in args as a FileArg) that helm writes files into, as `helm pull
   * --destination`: created before helm starts, its files returned in HelmOutput.files (MAX_STDOUT_BYTES in all).
   */
  outputFolder?: string;
}

export interface HelmOutput {
  stdout: string;
  stderr: string;
  /** The files helm wrote into HelmRun.outputFolder, by name; absent without one. */
  files?: Record<string, Buffer>;
}

/** helm failed, timed out or printed too much. The message went through the Redactor. */
export class HelmError extends Error {
  constructor(
    message: string,
    /** helm's exit code; undefined when it was killed or never started. */
    readonly exitCode: number | undefined,
  ) {
    super(message);
    this.name = 'HelmError';
  }
}

export interface HelmRunnerOptions {
  /** Every message leaving the runner goes through it; the run's credentials are taught to it first. */
  redactor: Redactor;
  /** Finds the binary, once, at the first run (default findHelm: FSM_GITOPS_HELM, /opt/helm/helm, PATH, package cache). */
  locate?: () => Promise<HelmBinary>;
  /** Environment read for proxies and TMPDIR (default process.env). */
  env?: Record<string, string | undefined>;
}

/** Proxy settings helm honours when it downloads a chart (Go's net/http ProxyFromEnvironment). */
const PASSED_ENV = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * Runs the helm binary in isolation: a fresh temp folder per run holds HELM_CACHE_HOME, HELM_CONFIG_HOME,
 * HELM_DATA_HOME, HOME and a kubeconfig written from the ClusterConnection (helm-kubeconfig.ts), and is
 * removed afterwards. helm sees none of the user's environment (no KUBECONFIG, no HELM_* settings, no
 * plugins: HELM_NO_PLUGINS), only PATH, TMPDIR and proxy variables. It runs in its own process group,
 * killed (SIGTERM, then SIGKILL after KILL_GRACE_MS) when timeoutMs passes or run.signal aborts, and sent
 * SIGTERM (its folder removed) if this process exits first; stdout and stderr are capped
 * (MAX_STDOUT_BYTES, MAX_STDERR_BYTES). Errors quote helm's stderr through the Redactor, which has learned
 * the run's token, password and client key first.
 */
export class HelmRunner {
  private binary: Promise<HelmBinary> | undefined;

  constructor(private readonly options: HelmRunnerOptions) {}

  /** The binary runs use; throws HelmNotFoundError (from findHelm) when there is none. */
  helm(): Promise<HelmBinary> {
    this.binary ??= (this.options.locate ?? findHelm)();
    this.binary.catch(() => (this.binary = undefined));
    return this.binary;
  }

  /**
   * Runs helm; resolves with its output when it exits 0, else throws HelmError. stdout is helm's as it is (a
   * rendered manifest holds the chart's Secrets: redact before showing it); stderr is redacted.
   */
  async run(run: HelmRun): Promise<HelmOutput> {
    const { path } = await this.helm();
    run.signal?.throwIfAborted();
    const { redactor } = this.options;
    if (run.cluster) redactor.learn('kubeconfig', credentialsOf(run.cluster));
    const env = this.options.env ?? process.env;
    return withTempFolder('fsm-gitops-helm-', async (work) => {
      const homes = { HOME: join(work, 'home'), HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data') };
      for (const dir of Object.values(homes)) await mkdir(dir);
      const kubeconfig = join(work, 'kubeconfig');
      if (run.cluster) await writeFile(kubeconfig, helmKubeconfig(run.cluster), { mode: 0o600 });
      for (const [name, text] of Object.entries(run.files ?? {})) {
        if (!/^[\w.-]+$/.test(name) || name === 'kubeconfig') throw new Error(`helm run file name ${name} is not allowed`);
        await writeFile(join(work, name), text, { mode: 0o600 });
      }
      if (run.outputFolder !== undefined) {
        if (!/^[\w.-]+$/.test(run.outputFolder) || run.outputFolder in (run.files ?? {})) throw new Error(`helm run output folder ${run.outputFolder} is not allowed`);
        await mkdir(join(work, run.outputFolder), { mode: 0o700 });
      }
      const args = run.args.map((arg) => (typeof arg === 'string' ? arg : join(work, arg.file)));
      const childEnv: Record<string, string> = { ...homes, KUBECONFIG: kubeconfig, HELM_NO_PLUGINS: '1', PATH: env['PATH'] ?? '/usr/bin:/bin', TMPDIR: work };
      for (const name of PASSED_ENV) if (env[name]) childEnv[name] = env[name];
      run.signal?.throwIfAborted();
      const output = await this.spawn(path, [...args, '--kubeconfig', kubeconfig], childEnv, run);
      return run.outputFolder === undefined ? output : { ...output, files: await this.written(join(work, run.outputFolder), run) };
    }, env['TMPDIR'] || tmpdir());
  }

  /** The regular files in `folder`, by name: at most MAX_STDOUT_BYTES in all, else a HelmError. */
  private async written(folder: string, run: HelmRun): Promise<Record<string, Buffer>> {
    const files: Record<string, Buffer> = {};
    let total = 0;
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(folder, entry.name);
      total += (await stat(path)).size;
      if (total > MAX_STDOUT_BYTES) throw new HelmError(this.options.redactor.text(`${run.what}: helm wrote more than ${MAX_STDOUT_BYTES} bytes of files`), undefined);
      files[entry.name] = await readFile(path);
    }
    return files;
  }

  private spawn(helm: string, args: string[], env: Record<string, string>, run: HelmRun): Promise<HelmOutput> {
    const fail = (message: string, code?: number): HelmError => new HelmError(this.options.redactor.text(`${run.what}: ${message}`), code);
    return new Promise((resolve, reject) => {
      const child = spawn(helm, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const stdout = new Capped(MAX_STDOUT_BYTES);
      const stderr = new Capped(MAX_STDERR_BYTES);
      let failure: unknown;
      const killGroup = (signal: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      // This process exiting first (a second Ctrl-C) stops helm too, as a timeout would: it is not left running unwatched.
      const killAtExit = (): void => killGroup('SIGTERM');
      process.once('exit', killAtExit);
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (error: unknown): void => {
        failure ??= error;
        killGroup('SIGTERM');
        killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
      };
      const { signal } = run;
      const stopped = (): void => stop(signal!.reason);
      signal?.addEventListener('abort', stopped, { once: true });
      const timer = setTimeout(() => stop(fail(`helm did not finish within ${Math.round(run.timeoutMs / 100) / 10} s and was stopped`)), run.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk) || stop(fail(`helm printed more than ${MAX_STDOUT_BYTES} bytes and was stopped`)));
      child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk) || stop(fail(`helm printed more than ${MAX_STDERR_BYTES} bytes of errors and was stopped`)));
      child.on('error', (error) => {
        process.removeListener('exit', killAtExit);
        clearTimeout(timer);
        signal?.removeEventListener('abort', stopped);
        reject(fail(`cannot run ${helm}: ${error.message}`));
      });
      child.on('close', (code) => {
        process.removeListener('exit', killAtExit);
        clearTimeout(timer);
        signal?.removeEventListener('abort', stopped);
        if (killTimer) clearTimeout(killTimer);
        if (failure !== undefined) return reject(failure);
        const errors = stderr.text();
        if (code !== 0) return reject(fail(`helm exited with ${code ?? 'a signal'}: ${explain(headAndTail(helmErrorText(errors).trim()))}`, code ?? undefined));
        resolve({ stdout: stdout.text(), stderr: this.options.redactor.text(errors) });
      });
    });
  }
}

/** `text` whole when short, else its first ERROR_HEAD_CHARS and last ERROR_TAIL_CHARS around a `…` (helm names the failed operation first). */
export function headAndTail(text: string): string {
  if (text.length <= ERROR_HEAD_CHARS + ERROR_TAIL_CHARS) return text;
  return `${text.slice(0, ERROR_HEAD_CHARS)} … ${text.slice(-ERROR_TAIL_CHARS)}`;
}

/** The credentials in a connection, under key names the Redactor treats as secret. */
function credentialsOf(cluster: ClusterConnection): Record<string, string> {
  const out: Record<string, string> = {};
  if (cluster.token) out['token'] = cluster.token;
  if (cluster.basic) out['password'] = cluster.basic.password;
  if (cluster.clientCertificate) out['clientKey'] = cluster.clientCertificate.key;
  return out;
}

/**
 * What of helm's stderr says why it failed: from its last `Error: ` line to the end. Helm 4 logs the same
 * error before it as a structured line (`level=WARN msg="upgrade failed" ... error="..."`, its newlines
 * escaped), and may log warnings; quoting all of it said the error twice. Without an `Error: ` line, all
 * of stderr.
 */
export function helmErrorText(stderr: string): string {
  const start = stderr.lastIndexOf('\nError: ');
  if (start >= 0) return stderr.slice(start + 1);
  return stderr;
}

/** helm's message, with what to do for the failures whose wording does not say it. */
function explain(stderr: string): string {
  if (/provide credentials|Unauthorized/i.test(stderr)) return `${stderr} (the API server refused the cluster's credentials: check the token or certificate this cluster is reached with: the kubeconfig, or the app's cluster settings (docs/clusters.md))`;
  return stderr || '(no message)';
}

/** Collects a stream's bytes up to a limit; add() returns false once the limit is passed. */
class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
