import { createHash } from 'node:crypto';
import { isObject, type JsonObject } from '../core/json.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import { HelmError, KILL_GRACE_MS, type FileArg, type HelmRunner } from './helm-runner.ts';
import { serverSideFromEnv, type ServerSide } from './server-side.ts';

export interface Release {
  name: string;
  namespace: string;
}

/** A chart: a chart folder or `.tgz` path, or a chart name in a repository (`repository` URL and exact `version`). */
/** A chart by name and version in a Helm repository (index.yaml at `repository`). */
export interface RepositoryChart {
  name: string;
  repository: string;
  version: string;
}

/** A chart archive pulled from its repository: its bytes, and their SHA-256 (hex), which name it whatever the repository serves later. */
export interface ChartArchive extends RepositoryChart {
  bytes: Uint8Array;
  sha256: string;
}

export type ChartSource = { path: string } | RepositoryChart;

/** One entry of `helm history -o json`. */
export interface ReleaseRevision {
  revision: number;
  /** `deployed`, `superseded`, `failed`, `pending-upgrade`, … (helm's release status). */
  status: string;
  /** `<name>-<version>`, as helm prints it: `fsm-1.5.1`. */
  chart: string;
  appVersion: string;
  updated: string;
  description: string;
}

export interface ChangeOptions {
  /** Kill helm after this many ms (it is also told, as `--timeout`, to give up KILL_GRACE_MS earlier). */
  timeoutMs: number;
  /** Wait until the workloads are ready (`--wait=watcher`), within the timeout. */
  wait?: boolean;
  /**
   * helm's own `--timeout` (its wait, and each hook), when shorter than timeoutMs − KILL_GRACE_MS: helm writes
   * the release's objects before it waits, and needs that time besides to record a timed-out upgrade as
   * failed rather than be killed while the release is pending-upgrade.
   */
  helmTimeoutMs?: number;
  /** `--no-hooks`: the test cluster runs no pods, so a chart's hook Jobs never finish there. */
  noHooks?: boolean;
  /** Stops helm (SIGTERM: helm cancels and records the release failed; SIGKILL KILL_GRACE_MS later): HelmRun's. */
  signal?: AbortSignal | undefined;
}

export interface HelmClientOptions {
  /** Helm 4's `--server-side` for install, upgrade and rollback (server-side.ts); undefined: helm's default. */
  serverSide?: ServerSide;
}

/** HelmClientOptions from the process's settings (FSM_GITOPS_HELM_SERVER_SIDE, server-side.ts); throws on an invalid value. */
export function helmClientOptionsFromEnv(env: Record<string, string | undefined>): HelmClientOptions {
  const serverSide = serverSideFromEnv(env);
  return serverSide ? { serverSide } : {};
}

const VALUES: FileArg = { file: 'values.json' };
/** Where `helm pull` writes the archive (a folder in the run's temp folder). */
const PULLED: FileArg = { file: 'pulled' };
/** Reads of a release are quick: a release Secret or two. */
const READ_TIMEOUT_MS = 60_000;

/**
 * The helm operations fsm-gitops runs on FSM's release, typed. Values are passed whole in a 0600 temp file
 * (`-f`; JSON, which YAML reads) with `--reset-values`: the release's previous values are not carried over,
 * as `fsm mesh upgrade` does (flomesh-io/fsm cmd/cli/mesh_upgrade.go sets ResetValues). Errors are HelmError
 * (helm-runner.ts) with helm's message, redacted.
 */
export class HelmClient {
  constructor(
    private readonly runner: HelmRunner,
    private readonly cluster: ClusterConnection | undefined,
    private readonly options: HelmClientOptions = {},
  ) {}

  /**
   * `helm template`: the chart's manifests (multi-document YAML) for these values, without a cluster.
   * kubeVersion: `.Capabilities.KubeVersion`, e.g. `v1.30.4`. noHooks: leave the hooks out, as a release's
   * stored manifest does (Helm keeps hooks apart from it).
   */
  async template(release: Release, chart: ChartSource, values: JsonObject, options: { timeoutMs: number; kubeVersion?: string; noHooks?: boolean; signal?: AbortSignal | undefined }): Promise<string> {
    const args = ['template', release.name, ...chartArgs(chart), '-n', release.namespace, '-f', VALUES];
    if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
    if (options.noHooks) args.push('--no-hooks');
    const { stdout } = await this.runner.run({ args, files: valuesFile(values), timeoutMs: options.timeoutMs, what: `render chart for ${name(release)}`, signal: options.signal });
    return stdout;
  }

  /**
   * `helm pull` of a chart version from its repository: the archive as the repository serves it now, and its
   * SHA-256. A plan renders from these bytes and apply installs the same bytes, so a chart replaced in the
   * repository between the two is never installed unseen. Throws HelmError when helm fails or writes no single .tgz.
   */
  async pull(chart: RepositoryChart, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<ChartArchive> {
    const what = `pull chart ${chart.name} ${chart.version} from ${chart.repository}`;
    const args = ['pull', chart.name, '--repo', chart.repository, '--version', chart.version, '--destination', PULLED];
    const { files } = await this.runner.run({ args, timeoutMs: options.timeoutMs, what, signal: options.signal, outputFolder: PULLED.file });
    const archives = Object.entries(files ?? {}).filter(([name]) => name.endsWith('.tgz'));
    if (archives.length !== 1) throw new HelmError(`${what}: helm wrote ${archives.length} chart archives, not one`, undefined);
    const bytes = archives[0]![1];
    return { ...chart, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  /** `helm install` (a new release; used to set up tests and first installs). */
  async install(release: Release, chart: ChartSource, values: JsonObject, options: ChangeOptions & { createNamespace?: boolean }): Promise<void> {
    const args = ['install', release.name, ...chartArgs(chart), '-f', VALUES, ...this.changeArgs(release, options)];
    if (options.createNamespace) args.push('--create-namespace');
    await this.runner.run({ args, files: valuesFile(values), cluster: this.cluster, timeoutMs: options.timeoutMs, what: `install release ${name(release)}` });
  }

  /** `helm upgrade --reset-values -f values`: the release's new revision. No `--install`: the release must exist. */
  async upgrade(release: Release, chart: ChartSource, values: JsonObject, options: ChangeOptions): Promise<number> {
    const args = ['upgrade', release.name, ...chartArgs(chart), '-f', VALUES, ...this.changeArgs(release, options), '--reset-values', '-o', 'json'];
    const { stdout } = await this.runner.run({ args, files: valuesFile(values), cluster: this.cluster, timeoutMs: options.timeoutMs, what: `upgrade release ${name(release)}`, signal: options.signal });
    return releaseOf(stdout).revision;
  }

  /**
   * `helm upgrade --dry-run=server`: what the upgrade would install, rendered against the live cluster
   * (`.Capabilities`, `lookup`) and checked by the API server, nothing stored. manifest: multi-document
   * YAML, Secrets included (redact them before showing). `signal`: HelmRun's.
   */
  async upgradeDryRun(release: Release, chart: ChartSource, values: JsonObject, options: { timeoutMs: number; signal?: AbortSignal | undefined }): Promise<{ manifest: string; revision: number }> {
    const args = ['upgrade', release.name, ...chartArgs(chart), '-n', release.namespace, '-f', VALUES, '--reset-values', '--dry-run=server', '-o', 'json'];
    const { stdout } = await this.runner.run({ args, files: valuesFile(values), cluster: this.cluster, timeoutMs: options.timeoutMs, what: `dry-run upgrade of release ${name(release)}`, signal: options.signal });
    return releaseOf(stdout);
  }

  /** `helm rollback` to a revision (helm records it as a new revision). */
  async rollback(release: Release, revision: number, options: ChangeOptions): Promise<void> {
    const args = ['rollback', release.name, String(revision), ...this.changeArgs(release, options)];
    await this.runner.run({ args, cluster: this.cluster, timeoutMs: options.timeoutMs, what: `roll back release ${name(release)} to revision ${revision}` });
  }

  /** `helm history -o json`, oldest first; `max`: only the latest revisions. */
  async history(release: Release, max?: number): Promise<ReleaseRevision[]> {
    const args = ['history', release.name, '-n', release.namespace, '-o', 'json', ...(max ? ['--max', String(max)] : [])];
    const { stdout } = await this.runner.run({ args, cluster: this.cluster, timeoutMs: READ_TIMEOUT_MS, what: `read history of release ${name(release)}` });
    const parsed: unknown = JSON.parse(stdout);
    if (!Array.isArray(parsed)) throw new Error(`helm history of ${name(release)} printed no list`);
    return parsed.filter(isObject).map((entry) => ({
      revision: Number(entry['revision']),
      status: String(entry['status'] ?? ''),
      chart: String(entry['chart'] ?? ''),
      appVersion: String(entry['app_version'] ?? ''),
      updated: String(entry['updated'] ?? ''),
      description: String(entry['description'] ?? ''),
    }));
  }

  /** `helm get manifest`: the manifests a revision installed (default: the current one). */
  async manifest(release: Release, revision?: number): Promise<string> {
    const { stdout } = await this.runner.run({ args: ['get', 'manifest', ...this.getArgs(release, revision)], cluster: this.cluster, timeoutMs: READ_TIMEOUT_MS, what: `read manifest of release ${name(release)}` });
    return stdout;
  }

  /** `helm get values -o json`: the values a revision was given (not the chart's defaults); {} when none. */
  async values(release: Release, revision?: number): Promise<JsonObject> {
    const args = ['get', 'values', ...this.getArgs(release, revision), '-o', 'json'];
    const { stdout } = await this.runner.run({ args, cluster: this.cluster, timeoutMs: READ_TIMEOUT_MS, what: `read values of release ${name(release)}` });
    const parsed: unknown = JSON.parse(stdout);
    return isObject(parsed) ? parsed : {};
  }

  private getArgs(release: Release, revision: number | undefined): string[] {
    return [release.name, '-n', release.namespace, ...(revision === undefined ? [] : ['--revision', String(revision)])];
  }

  private changeArgs(release: Release, options: ChangeOptions): string[] {
    const seconds = Math.max(1, Math.floor(Math.min(options.helmTimeoutMs ?? Infinity, options.timeoutMs - KILL_GRACE_MS) / 1000));
    return [
      '-n', release.namespace, '--timeout', `${seconds}s`,
      ...(options.wait ? ['--wait=watcher'] : []),
      ...(options.noHooks ? ['--no-hooks'] : []),
      ...(this.options.serverSide ? [`--server-side=${this.options.serverSide}`] : []),
    ];
  }
}

function chartArgs(chart: ChartSource): string[] {
  return 'path' in chart ? [chart.path] : [chart.name, '--repo', chart.repository, '--version', chart.version];
}

function valuesFile(values: JsonObject): Record<string, string> {
  return { [VALUES.file]: JSON.stringify(values) };
}

function name(release: Release): string {
  return `${release.namespace}/${release.name}`;
}

/** The release JSON `helm upgrade -o json` prints: its manifest (left out when empty: a chart that renders nothing) and revision. */
function releaseOf(stdout: string): { manifest: string; revision: number } {
  const parsed: unknown = JSON.parse(stdout);
  const manifest = isObject(parsed) ? (parsed['manifest'] ?? '') : undefined;
  if (!isObject(parsed) || typeof manifest !== 'string' || typeof parsed['version'] !== 'number') throw new Error('helm upgrade printed no release (manifest, version)');
  return { manifest, revision: parsed['version'] };
}
