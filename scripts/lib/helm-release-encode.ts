import { gzipSync } from 'node:zlib';
import type { JsonObject, JsonValue } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';

export interface HelmReleaseInput {
  /** Release name (`helm install <name>`). */
  name: string;
  namespace: string;
  revision: number;
  /** deployed | superseded | failed | uninstalled | pending-install | pending-upgrade | pending-rollback */
  status: string;
  chart: {
    name: string;
    version: string;
    appVersion?: string;
    /** The chart's values.yaml, parsed. */
    values: JsonObject;
    /** The chart's values.schema.json as the file's text (Helm stores the bytes, base64). */
    schemaJsonText?: string;
    /** Chart.yaml's kubeVersion constraint. */
    kubeVersion?: string;
    /** templates/… and other files of the chart, chart-relative, with their bytes. */
    templates?: { name: string; data: Buffer }[];
    files?: { name: string; data: Buffer }[];
  };
  /** What the revision installed (`release.manifest`); default ''. */
  manifest?: string;
  /** User-supplied values (`-f` / `--set`). */
  config: JsonObject;
  /** RFC 3339; fixed defaults keep generated fixtures byte-identical. */
  firstDeployed?: string;
  lastDeployed?: string;
  description?: string;
  /** RFC 3339: when Helm last updated this Secret (it relabels a revision when it is superseded); adds the `modifiedAt` label. */
  modifiedAt?: string;
  /** false: store base64(JSON) without gzip (older or hand-made releases; Helm reads both). */
  gzip?: boolean;
}

const DEFAULT_TIME = '2025-01-06T09:30:00Z';

/** The release JSON as Helm 3 marshals `release.Release` (the fields fsm-gitops reads, plus the usual neighbours). */
export function helmReleaseJson(input: HelmReleaseInput): JsonObject {
  const firstDeployed = input.firstDeployed ?? DEFAULT_TIME;
  const lastDeployed = input.lastDeployed ?? firstDeployed;
  const metadata: JsonObject = { name: input.chart.name, version: input.chart.version, apiVersion: 'v2' };
  if (input.chart.appVersion !== undefined) metadata['appVersion'] = input.chart.appVersion;
  if (input.chart.kubeVersion !== undefined) metadata['kubeVersion'] = input.chart.kubeVersion;
  const entries = (list: { name: string; data: Buffer }[] | undefined): JsonObject[] => (list ?? []).map((f) => ({ name: f.name, data: f.data.toString('base64') }));
  const chart: JsonObject = { metadata, templates: entries(input.chart.templates), values: sortMapKeys(input.chart.values) };
  if (input.chart.files) chart['files'] = entries(input.chart.files);
  if (input.chart.schemaJsonText !== undefined) chart['schema'] = Buffer.from(input.chart.schemaJsonText, 'utf8').toString('base64');
  return {
    name: input.name,
    info: {
      first_deployed: firstDeployed,
      last_deployed: lastDeployed,
      deleted: '',
      description: input.description ?? (input.revision === 1 ? 'Install complete' : 'Upgrade complete'),
      status: input.status,
    },
    chart,
    config: sortMapKeys(input.config),
    manifest: input.manifest ?? '',
    version: input.revision,
    namespace: input.namespace,
  };
}

/** Values are Go maps in Helm, and encoding/json writes map keys sorted. */
function sortMapKeys<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map(sortMapKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const obj = value as JsonObject;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortMapKeys(obj[k] as JsonValue)]),
  ) as T;
}

/** Helm's release string: base64(gzip(JSON)), as `storage/driver/util.go` encodeRelease writes it. */
export function encodeHelmReleaseString(input: HelmReleaseInput): string {
  const json = Buffer.from(JSON.stringify(helmReleaseJson(input)), 'utf8');
  const payload = input.gzip === false ? json : gzipSync(json, { level: 9 });
  return payload.toString('base64');
}

/** The Secret Helm 3's secrets driver stores for one revision (data.release is the Secret's base64 of the release string). */
export function encodeHelmReleaseSecret(input: HelmReleaseInput): KubeObject {
  const helmString = encodeHelmReleaseString(input);
  // The secrets driver labels a revision createdAt (Create) and modifiedAt (Update), as Unix seconds.
  const labels: Record<string, string> = {
    createdAt: unixSeconds(input.lastDeployed ?? input.firstDeployed ?? DEFAULT_TIME),
    name: input.name,
    owner: 'helm',
    status: input.status,
    version: String(input.revision),
  };
  if (input.modifiedAt !== undefined) labels['modifiedAt'] = unixSeconds(input.modifiedAt);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `sh.helm.release.v1.${input.name}.v${input.revision}`,
      namespace: input.namespace,
      labels,
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmString, 'latin1').toString('base64') },
  };
}

function unixSeconds(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${rfc3339}`);
  return String(Math.floor(ms / 1000));
}
