/**
 * Runs the bad-input corpus (corpus.test.ts) in a worker thread, so that a case that hangs in synchronous
 * code (a parser loop, a regular expression) or exhausts memory fails on its own, naming the case, instead of
 * freezing or killing the whole test run. node:test's `timeout` cannot interrupt synchronous code; a worker
 * can be terminated.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runCli } from '../../src/cli/run.ts';
import { parseRepoConfig, RepoConfigError } from '../../src/config/repo-config.ts';
import type { Severity } from '../../src/core/finding.ts';
import type { RuleCode } from '../../src/core/rule-codes.ts';
import { LiveStateError } from '../../src/live/live-state.ts';
import { liveStateFromObjects, parseSnapshot, SnapshotReader } from '../../src/live/snapshot.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { CONFIG_FILE, planFiles } from '../support/plan-fixture.ts';

export type Files = Record<string, string | Uint8Array>;
export type Where = 'environment' | 'config' | 'snapshot' | 'cli';

export interface Expect {
  /** environment, cli with --format json: a finding with this code (and the fields below) is in the plan. */
  code?: RuleCode;
  /** Default `error` when `code` is given. */
  severity?: Severity;
  /** Repository path of the finding, or RepoConfigError.file. */
  file?: string;
  line?: number;
  column?: number;
  /** Dotted JSON path of the finding. */
  path?: string;
  /** The finding's message, the thrown error's message, or the CLI's stderr (exit 3) / stdout (exit 0 or 1). */
  messageMatches?: RegExp;
  /** cli: the exit code, or the codes accepted (default 3). */
  exitCode?: number | number[];
  /** environment: the plan holds no finding at all (the input is fine). */
  noFindings?: boolean;
  /** config, snapshot: the input is accepted, no error. */
  accepted?: boolean;
}

export interface Case {
  name: string;
  where: Where;
  /**
   * The input. Omitted: the files of corpus/<name>/ (for an environment, paths are relative to clusters/staging/,
   * and an `@root/` folder holds files at the repository root). A function: generated inside the worker, for
   * inputs too large or too binary to commit.
   */
  files?: Files | (() => Files);
  /** environment: the repository config, instead of the staging one. */
  config?: string;
  /** cli: argv; {case} is corpus/<name>, {cluster} the example staging snapshot, {examples} the example repository. */
  args?: string[];
  expect: Expect;
  /** More assertions on the outcome (run in the main thread). */
  check?(outcome: Outcome): void;
}

export interface ThrownError {
  name: string;
  message: string;
  stack: string;
  isRepoConfigError: boolean;
  isLiveStateError: boolean;
  file?: string;
  line?: number;
  column?: number;
}

/** What a case ended in, as the worker sends it back. */
export type CaseResult =
  | { kind: 'plan'; plan: EnvironmentPlan }
  | { kind: 'config'; environments: { name: string; path: string }[] }
  | { kind: 'snapshot'; objects: number; helmRelease: boolean }
  | { kind: 'cli'; exitCode: number; stdout: string; stderr: string }
  | { kind: 'thrown'; error: ThrownError };

export type Outcome = CaseResult & {
  ms: number;
  /** How Object.prototype changed while the case ran (in the worker); empty when it did not. */
  prototypeChanges: string[];
};

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));
const EXAMPLE_SNAPSHOT = fileURLToPath(new URL('../../examples/cluster/staging.yaml', import.meta.url));
const EXAMPLE_REPO = fileURLToPath(new URL('../../examples/gitops', import.meta.url));

export function caseDir(name: string): string {
  return join(CORPUS_DIR, name);
}

/** Every file below corpus/<name>/, by path relative to it. */
export function corpusFiles(name: string): Files {
  const root = caseDir(name);
  if (!existsSync(root)) throw new Error(`corpus case folder ${root} is missing`);
  const out: Files = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out[relative(root, full).split('\\').join('/')] = new Uint8Array(readFileSync(full));
    }
  };
  walk(root);
  return out;
}

function inputFiles(c: Case): Files {
  if (typeof c.files === 'function') return c.files();
  return c.files ?? corpusFiles(c.name);
}

function thrown(error: unknown): ThrownError {
  const e = error instanceof Error ? error : new Error(String(error));
  const out: ThrownError = {
    name: e.name,
    message: e.message,
    stack: e.stack ?? '',
    isRepoConfigError: error instanceof RepoConfigError,
    isLiveStateError: error instanceof LiveStateError,
  };
  if (error instanceof RepoConfigError) Object.assign(out, { file: error.file, line: error.line, column: error.column });
  return out;
}

/** Runs one case in this thread. Used by the worker; never throws for the case's own failure. */
export async function runCase(c: Case): Promise<Outcome> {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  const started = performance.now();
  let result: CaseResult;
  try {
    result = await runWhere(c);
  } catch (error) {
    result = { kind: 'thrown', error: thrown(error) };
  }
  const ms = Math.round(performance.now() - started);
  const prototypeAfter = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  const prototypeChanges = prototypeAfter === prototypeBefore ? [] : [`Object.prototype own properties: ${prototypeBefore} -> ${prototypeAfter}`];
  if ((({}) as Record<string, unknown>)['polluted'] !== undefined) prototypeChanges.push('({}).polluted is defined');
  return { ...result, ms, prototypeChanges };
}

async function runWhere(c: Case): Promise<CaseResult> {
  switch (c.where) {
    case 'environment': {
      const files: Files = {};
      for (const [path, content] of Object.entries(inputFiles(c))) files[path.startsWith('@root/') ? path.slice('@root'.length) : path] = content;
      const plan = await planFiles(files, c.config === undefined ? {} : { config: c.config });
      return { kind: 'plan', plan };
    }
    case 'config': {
      const files = inputFiles(c);
      const bytes = files['fsm-gitops.yml'];
      if (bytes === undefined) throw new Error(`config case ${c.name} has no fsm-gitops.yml`);
      const config = parseRepoConfig(CONFIG_FILE, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
      return { kind: 'config', environments: config.environments.map((e) => ({ name: e.name, path: e.path })) };
    }
    case 'snapshot': {
      const mesh = { name: 'fsm', namespace: 'fsm-system' };
      let live;
      if (typeof c.files === 'function' || c.files !== undefined) {
        const bytes = inputFiles(c)['snapshot.yaml'];
        if (bytes === undefined) throw new Error(`snapshot case ${c.name} has no snapshot.yaml`);
        const name = `${c.name}/snapshot.yaml`;
        live = liveStateFromObjects(name, parseSnapshot(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes), mesh);
      } else {
        // A committed snapshot (or a missing one) is read from disk, as `--cluster` reads it.
        live = await new SnapshotReader(join(caseDir(c.name), 'snapshot.yaml')).read(mesh);
      }
      return { kind: 'snapshot', objects: live.namespaces.length + live.crds.length + live.pluginObjects.length, helmRelease: live.helmRelease !== undefined };
    }
    case 'cli': {
      const dir = caseDir(c.name);
      const argv = (c.args ?? []).map((arg) =>
        arg.replaceAll('{case}', dir).replaceAll('{cluster}', EXAMPLE_SNAPSHOT).replaceAll('{examples}', EXAMPLE_REPO),
      );
      let stdout = '';
      let stderr = '';
      const exitCode = await runCli(argv, {
        stdout: (text) => void (stdout += text),
        stderr: (text) => void (stderr += text),
        stdoutIsTty: false,
        stderrIsTty: false,
        stdinIsTty: false,
        env: {},
        ask: () => Promise.reject(new Error('the corpus never answers prompts')),
      });
      return { kind: 'cli', exitCode, stdout, stderr };
    }
  }
}

/** A folder in the corpus is a case; true when it exists (cases generated in code have none). */
export function hasCorpusFolder(name: string): boolean {
  return existsSync(caseDir(name)) && statSync(caseDir(name)).isDirectory();
}

/**
 * One worker thread serving cases one at a time. A case that does not answer within its budget is a hang:
 * the worker is terminated (the next case gets a fresh one) and the case fails naming it.
 */
export class CaseWorker {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;

  private start(): Promise<Worker> {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./case-worker.ts', import.meta.url).href;
    // Node 20 does not apply `--import tsx` to a worker's entry module: register tsx in the worker, then load it.
    const source = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    const worker = new Worker(source, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    worker.unref();
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', (message: unknown) => (message === 'ready' ? resolve(worker) : reject(new Error(`worker said ${String(message)}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the case worker exited (code ${code}) before it was ready`)));
    });
    return this.ready;
  }

  async run(name: string, budgetMs: number): Promise<Outcome> {
    const worker = await (this.ready ?? this.start());
    return new Promise<Outcome>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const discard = (): void => {
        cleanup();
        this.worker = undefined;
        this.ready = undefined;
        void worker.terminate();
      };
      const onMessage = (message: { name: string; outcome?: Outcome; failure?: string }): void => {
        if (message.name !== name) return;
        cleanup();
        if (message.outcome) resolve(message.outcome);
        else reject(new Error(`case ${name} could not run: ${message.failure}`));
      };
      const onError = (error: Error): void => {
        discard();
        reject(new Error(`case ${name} killed the worker: ${error.message}`));
      };
      const onExit = (code: number): void => {
        discard();
        reject(new Error(`case ${name}: the worker exited with code ${code}`));
      };
      const timer = setTimeout(() => {
        discard();
        reject(new Error(`case ${name} did not finish within ${budgetMs} ms: it hangs (the worker was terminated)`));
      }, budgetMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(name);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }
}
