import { mkdir, writeFile } from 'node:fs/promises';
import { withTempFolder } from '../core/temp-folder.ts';
import { dirname, join, resolve, sep } from 'node:path';
import { deepEqual } from '../core/json.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { chartBump } from '../fsm/chart-version.ts';
import { coalesceValues, releaseValues } from '../fsm/helm-values.ts';
import { HelmClient, helmClientOptionsFromEnv, type ChartSource, type Release } from '../helm/helm-client.ts';
import { HelmNotFoundError } from '../helm/helm-binary.ts';
import { HelmError, HelmRunner } from '../helm/helm-runner.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import { isPending, type ChartFile } from '../live/helm-release.ts';
import type { LiveState } from '../live/live-state.ts';
import type { ChartRender, ChartUpgrade } from '../plan/plan-types.ts';
import { ManifestError, parseManifest } from '../plan/release-changes.ts';
import { Redactor } from '../redact/redactor.ts';

/**
 * How a render reaches the live cluster: `connection` for helm's server dry run (the plan's dry run is on),
 * else `serverVersion` for `helm template --kube-version` (a fork's review renders without the cluster's
 * credential, yet the chart's templates and kubeVersion must see the cluster's version, not helm's default).
 */
export interface ChartCluster {
  connection?(): Promise<ClusterConnection>;
  serverVersion?(): Promise<string>;
}

/** The helm operations rendering needs (HelmClient's; tests count calls through a stand-in). */
export type RenderingHelm = Pick<HelmClient, 'template' | 'upgradeDryRun' | 'pull'>;
/** One render of FSM's chart (~0.5 MB of manifests) takes seconds; a server dry run also waits on the API server. */
export const RENDER_TIMEOUT_MS = 120_000;

/**
 * Renders the FSM chart for an environment whose values.yaml or `chart.version` differs from the deployed
 * release, so the pure plan can diff the result (plan/release-changes.ts). The I/O half of a chart upgrade's plan.
 */
export class ChartRenderer {
  /** helmFor: a helm bound to the cluster (server dry run) or to none (`helm template`). */
  constructor(private readonly helmFor: (cluster: ClusterConnection | undefined) => RenderingHelm) {}

  /**
   * undefined when nothing is to render: the environment has no `chart: { upgrade: true }`, no values.yaml, no
   * deployed release, a refused version bump or a release left mid-operation (the plan reports them), or values and chart version equal to the
   * release's (compared as Helm coalesces them onto the chart's defaults: no helm call then). Else the
   * rendered manifest, by `helm upgrade --dry-run=server` when `cluster.connection` reaches the live cluster, by
   * `helm template` otherwise, for the cluster's version (a snapshot's, or `cluster.serverVersion`'s for live
   * state from an API server); helm's refusal, or no helm found, is `{ ok: false }` with the (redacted) message.
   * Once `signal` is aborted, helm is stopped (or not started) and the render rejects with `signal.reason`.
   */
  async render(desired: DesiredEnvironment, live: LiveState, cluster: ChartCluster = {}, signal?: AbortSignal): Promise<ChartRender | undefined> {
    const { environment } = desired;
    const release = live.helmRelease;
    const policy = environment.chart;
    if (!policy?.upgrade || !desired.values || !release) return undefined;
    const values = releaseValues(desired.values.values, environment.mesh.name);
    const version = policy.version ?? release.chartVersion;
    const bump = chartBump(release.chartVersion, version);
    if (bump === 'downgrade' || (bump === 'breaking' && !policy.allowBreaking)) return undefined;
    if (bump === 'same' && deepEqual(coalesceValues(release.chartValues, release.config), coalesceValues(release.chartValues, values))) return undefined;

    if (isPending(live.helmReleaseLatest?.status)) return undefined; // helm refuses it: the chart-upgrade rule says how to fix it
    const target: Release = { name: release.name, namespace: release.namespace };
    const upgrade: ChartUpgrade = {
      release: target,
      fromRevision: release.revision,
      latestRevision: Math.max(release.revision, live.helmReleaseLatest?.revision ?? 0),
      fromVersion: release.chartVersion,
      toVersion: version,
      chart: { files: release.chartFiles },
      values,
      objects: [],
    };
    try {
      return await withTempFolder('fsm-gitops-chart-', async (folder) => {
        // A new version is pulled once: rendered here and installed by apply from these bytes (ChartUpgrade.chart).
        if (bump !== 'same') {
          try {
            upgrade.chart = await this.helmFor(undefined).pull({ name: release.chartName, repository: policy.repository, version }, { timeoutMs: RENDER_TIMEOUT_MS, signal });
          } catch (error) {
            if (error instanceof HelmError || error instanceof HelmNotFoundError) return { ok: false as const, chartVersion: version, message: error.message, pull: true as const };
            throw error;
          }
        }
        const chart: ChartSource = { path: await writeChart(upgrade.chart, folder) };
        const connection = live.origin === 'cluster' ? cluster.connection : undefined;
        const via = connection ? 'server dry run' : 'helm template';
        const manifest = connection
          ? (await this.helmFor(await connection()).upgradeDryRun(target, chart, values, { timeoutMs: RENDER_TIMEOUT_MS, signal })).manifest
          : await this.helmFor(undefined).template(target, chart, values, { timeoutMs: RENDER_TIMEOUT_MS, noHooks: true, kubeVersion: await kubeVersionOf(live, cluster), signal });
        // Parsed here, once: what cannot be read is this environment's finding, not an error thrown from the pure plan.
        const deployed = parseManifest(release.manifest, "the deployed release's manifest");
        const rendered = parseManifest(manifest, `the manifest rendered by ${via}`);
        upgrade.objects = [...new Set([...deployed.keys(), ...rendered.keys()])].map((key) => ({ ...(deployed.has(key) ? { deployed: deployed.get(key)! } : {}), ...(rendered.has(key) ? { rendered: rendered.get(key)! } : {}) }));
        return { ok: true as const, chartVersion: version, via, deployed, rendered, upgrade };
      });
    } catch (error) {
      // No helm where the plan runs is this environment's finding, not the end of every environment's plan.
      if (error instanceof HelmError || error instanceof ManifestError || error instanceof HelmNotFoundError) return { ok: false, chartVersion: version, message: error.message };
      throw error;
    }
  }
}

/** The version `helm template` renders for: the snapshot's, else the API server's the live state was read from; undefined: helm's default. */
async function kubeVersionOf(live: LiveState, cluster: ChartCluster): Promise<string | undefined> {
  return live.kubeVersion ?? (live.origin === 'cluster' ? await cluster.serverVersion?.() : undefined);
}

/** A renderer running the real helm (helm-binary.ts finds it), with FSM_GITOPS_HELM_SERVER_SIDE; messages redacted with the environment's keys. */
export function helmChartRenderer(redactKeys: readonly string[] = [], env: Record<string, string | undefined> = process.env): ChartRenderer {
  const runner = new HelmRunner({ redactor: new Redactor([...redactKeys]) });
  const options = helmClientOptionsFromEnv(env);
  return new ChartRenderer((cluster) => new HelmClient(runner, cluster, options));
}

/**
 * Writes an upgrade's chart under `folder` as helm takes it: a release's chart files as `chart/` (writeReleaseChart),
 * a pulled archive as `chart.tgz`. Returns the path to give helm.
 */
export async function writeChart(chart: ChartUpgrade['chart'], folder: string): Promise<string> {
  if ('files' in chart) return writeReleaseChart(chart.files, folder);
  const path = join(folder, 'chart.tgz');
  await writeFile(path, chart.bytes, { mode: 0o600 });
  return path;
}

/** Writes a release's chart (helm-release.ts chartFiles) under `folder`/chart; returns the chart's folder. Throws HelmError for a file outside it. */
export async function writeReleaseChart(files: readonly ChartFile[], folder: string): Promise<string> {
  const root = join(folder, 'chart');
  for (const file of files) {
    const path = resolve(root, file.name);
    // A file name from the cluster never leaves the chart's folder.
    if (!path.startsWith(root + sep)) throw new HelmError(`the deployed release's chart holds a file outside the chart (${JSON.stringify(file.name)})`, 1);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(file.base64, 'base64'));
  }
  return root;
}

