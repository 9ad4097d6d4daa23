import { gunzipSync } from 'node:zlib';
import { isObject, type JsonObject, type JsonValue } from '../core/json.ts';
import { labelsOf, namespaceOf, type KubeObject } from '../core/kube.ts';

/**
 * Helm 3 keeps each revision of a release in a Secret `sh.helm.release.v1.<release>.v<N>` of type
 * `helm.sh/release.v1`. Its `data.release` is the Secret's own base64 of Helm's release string, which is
 * base64(gzip(JSON)) (Helm also reads base64(JSON) without gzip).
 *
 * Only the fields below leave this module: no hooks, nothing else the Secret holds.
 */
export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion?: string;
  /** User-supplied values (`release.config`). */
  config: JsonObject;
  /** The chart's default values (`release.chart.values`). */
  chartValues: JsonObject;
  /** The chart's values.schema.json, parsed (`release.chart.schema` is base64 of the file's bytes). */
  chartSchema?: JsonObject;
  /** The chart's `kubeVersion` constraint (Chart.yaml), e.g. `>= 1.19.0-0`. */
  chartKubeVersion?: string;
  /** What this revision installed (`release.manifest`): multi-document YAML, Secrets included. '' when absent. */
  manifest: string;
  /** The chart as files (Chart.yaml, values.yaml, values.schema.json, templates/…, other files), for helm to render it again. */
  chartFiles: ChartFile[];
}

/** One file of a chart, as Helm stores it in the release: a chart-relative path and base64 of its bytes. */
export interface ChartFile {
  name: string;
  base64: string;
}

export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** Decoded uncompressed release JSON larger than this is refused (a gzip bomb, not a release). */
const MAX_RELEASE_JSON_BYTES = 64 * 1024 * 1024;
/** Base64 (RFC 4648 §4) with its padding, when its length is a multiple of 4: alphabet characters, then at most two `=`. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SECRET_NAME = /^sh\.helm\.release\.v1\.(.+)\.v(\d+)$/;

/** A Helm release Secret could not be decoded. The message names the Secret and the problem, never its content. */
export class HelmReleaseDecodeError extends Error {
  constructor(
    readonly secret: string,
    problem: string,
  ) {
    super(`Helm release Secret ${secret}: ${problem}`);
    this.name = 'HelmReleaseDecodeError';
  }
}

export function isHelmReleaseSecret(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && obj.kind === 'Secret' && obj['type'] === HELM_RELEASE_SECRET_TYPE;
}

/**
 * The Secret of the deployed revision of `releaseName` (label status=deployed; the highest revision when
 * several claim it, which Helm leaves behind after an interrupted upgrade). Only a Secret named
 * `sh.helm.release.v1.<releaseName>.v<N>` whose `name` label (if any) is `releaseName` counts: another
 * release's Secret is never read. Undefined when none is deployed.
 */
export function currentHelmRelease(secrets: KubeObject[], releaseName: string): KubeObject | undefined {
  let best: { secret: KubeObject; revision: number } | undefined;
  for (const secret of secrets) {
    if (!isHelmReleaseSecret(secret)) continue;
    const labels = labelsOf(secret);
    const fromName = SECRET_NAME.exec(secret.metadata.name);
    // Helm names the Secret after the release and labels it with the name: both must be the mesh's.
    if (fromName?.[1] !== releaseName || (labels['name'] !== undefined && labels['name'] !== releaseName) || labels['status'] !== 'deployed') continue;
    const revision = parseRevision(labels['version']) ?? parseRevision(fromName?.[2]);
    if (revision === undefined) continue;
    if (!best || revision > best.revision) best = { secret, revision };
  }
  return best?.secret;
}

/** The newest revision of a release and its status (`deployed`, `failed`, `pending-upgrade`, …), from the Secrets' labels. */
export interface ReleaseRevisionStatus {
  revision: number;
  status: string;
  /** The newest revision that was deployed once (status `deployed` or `superseded`): what a `helm rollback` can return to. */
  lastSucceeded?: number;
}

/**
 * The newest revision of `releaseName` among its release Secrets (whatever its status), read from the labels
 * Helm's Secret driver sets (`name`, `version`, `status`); undefined when there is none. Unlike
 * currentHelmRelease it sees an upgrade that never finished (`pending-upgrade`) or failed.
 */
export function latestRevision(secrets: KubeObject[], releaseName: string): ReleaseRevisionStatus | undefined {
  let best: ReleaseRevisionStatus | undefined;
  let succeeded: number | undefined;
  for (const secret of secrets) {
    if (!isHelmReleaseSecret(secret)) continue;
    const labels = labelsOf(secret);
    const fromName = SECRET_NAME.exec(secret.metadata.name);
    if (fromName?.[1] !== releaseName || (labels['name'] !== undefined && labels['name'] !== releaseName)) continue;
    const revision = parseRevision(labels['version']) ?? parseRevision(fromName[2]);
    if (revision !== undefined && (!best || revision > best.revision)) best = { revision, status: labels['status'] ?? 'unknown' };
    if (revision !== undefined && (labels['status'] === 'deployed' || labels['status'] === 'superseded') && (succeeded === undefined || revision > succeeded)) succeeded = revision;
  }
  return best && succeeded !== undefined ? { ...best, lastSucceeded: succeeded } : best;
}

/**
 * Whether a release status is one Helm leaves while an install, upgrade or rollback runs (`pending-install`,
 * `pending-upgrade`, `pending-rollback`; helm pkg/release/v1 Status.IsPending). Helm refuses to upgrade such a
 * release ("another operation (install/upgrade/rollback) is in progress"); a helm killed mid-operation leaves it.
 */
export function isPending(status: string | undefined): boolean {
  return status === 'pending-install' || status === 'pending-upgrade' || status === 'pending-rollback';
}

function parseRevision(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function decodeHelmReleaseSecret(secret: KubeObject): HelmRelease {
  const ns = namespaceOf(secret);
  const id = ns ? `${ns}/${secret.metadata.name}` : secret.metadata.name;
  const fail = (problem: string): never => {
    throw new HelmReleaseDecodeError(id, problem);
  };

  if (!isHelmReleaseSecret(secret)) fail(`is not of type ${HELM_RELEASE_SECRET_TYPE}`);

  // The Helm release string: from data (base64 of it) or from stringData (as is).
  let helmString: string;
  const data = secret['data'];
  const stringData = secret['stringData'];
  if (isObject(data) && data['release'] !== undefined) {
    const encoded = data['release'];
    if (typeof encoded !== 'string') return fail('data.release is not a string');
    helmString = decodeBase64(encoded, () => fail('data.release is not valid base64')).toString('latin1');
  } else if (isObject(stringData) && stringData['release'] !== undefined) {
    const raw = stringData['release'];
    if (typeof raw !== 'string') return fail('stringData.release is not a string');
    helmString = raw;
  } else {
    return fail('has neither data.release nor stringData.release');
  }

  let bytes = decodeBase64(helmString, () => fail('the release is not valid base64 (Helm encodes it as base64 of gzip of JSON)'));
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_RELEASE_JSON_BYTES });
    } catch (error) {
      fail(
        error instanceof RangeError
          ? `the release decompresses to more than ${MAX_RELEASE_JSON_BYTES} bytes`
          : 'the release is not valid gzip data',
      );
    }
  }

  let release: unknown;
  try {
    release = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    // The parser's own message quotes the input: never pass it on.
    return fail('the release is not valid JSON');
  }
  if (!isObject(release)) return fail('the release JSON is not an object');

  const info = release['info'];
  const chart = release['chart'];
  const metadata = isObject(chart) ? chart['metadata'] : undefined;
  const name = release['name'];
  const version = release['version'];
  const status = isObject(info) ? info['status'] : undefined;
  if (typeof name !== 'string' || name === '') return fail('the release JSON has no name');
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) return fail('the release JSON has no valid version');
  if (typeof status !== 'string' || status === '') return fail('the release JSON has no info.status');
  if (!isObject(chart)) return fail('the release JSON has no chart');
  if (!isObject(metadata)) return fail('the release JSON has no chart.metadata');
  const chartName = metadata['name'];
  const chartVersion = metadata['version'];
  const appVersion = metadata['appVersion'];
  if (typeof chartName !== 'string' || chartName === '') return fail('the release JSON has no chart.metadata.name');
  if (typeof chartVersion !== 'string' || chartVersion === '') return fail('the release JSON has no chart.metadata.version');

  const config = objectOrEmpty(release['config'], () => fail('config in the release JSON is not an object'));
  const chartValues = objectOrEmpty(chart['values'], () => fail('chart.values in the release JSON is not an object'));

  let chartSchema: JsonObject | undefined;
  const schema = chart['schema'];
  if (schema !== undefined && schema !== null && schema !== '') {
    if (typeof schema !== 'string') return fail('chart.schema in the release JSON is not a base64 string');
    const schemaBytes = decodeBase64(schema, () => fail('chart.schema in the release JSON is not valid base64'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(schemaBytes));
    } catch {
      return fail('chart.schema (values.schema.json) is not valid JSON');
    }
    if (!isObject(parsed)) return fail('chart.schema (values.schema.json) is not a JSON object');
    chartSchema = parsed;
  }

  const manifest = typeof release['manifest'] === 'string' ? release['manifest'] : '';
  const chartFiles = chartFilesOf(chart, metadata, chartValues, schema, fail);
  const namespace = release['namespace'];
  const result: HelmRelease = {
    name,
    namespace: typeof namespace === 'string' && namespace !== '' ? namespace : (ns ?? ''),
    revision: version,
    status,
    chartName,
    chartVersion,
    config,
    chartValues,
    manifest,
    chartFiles,
  };
  if (typeof metadata['kubeVersion'] === 'string' && metadata['kubeVersion'] !== '') result.chartKubeVersion = metadata['kubeVersion'];
  if (typeof appVersion === 'string' && appVersion !== '') result.appVersion = appVersion;
  if (chartSchema) result.chartSchema = chartSchema;
  return result;
}

/**
 * The chart's files from the release JSON (Helm's chart.Chart: `metadata` is Chart.yaml, `values` values.yaml,
 * `schema` values.schema.json, `templates` and `files` as {name, data: base64}); JSON is YAML, so Chart.yaml and
 * values.yaml are written as JSON. Helm does not store subcharts in the release: FSM's chart has none.
 */
function chartFilesOf(chart: JsonObject, metadata: JsonObject, values: JsonObject, schema: JsonValue | undefined, fail: (problem: string) => never): ChartFile[] {
  const text = (name: string, content: string): ChartFile => ({ name, base64: Buffer.from(content, 'utf8').toString('base64') });
  const files: ChartFile[] = [text('Chart.yaml', JSON.stringify(metadata)), text('values.yaml', JSON.stringify(values))];
  if (typeof schema === 'string' && schema !== '') files.push({ name: 'values.schema.json', base64: schema });
  for (const list of ['templates', 'files'] as const) {
    const entries = chart[list];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) return fail(`chart.${list} in the release JSON is not a list`);
    for (const entry of entries) {
      if (!isObject(entry) || typeof entry['name'] !== 'string' || typeof entry['data'] !== 'string') return fail(`chart.${list} in the release JSON holds an entry without name and data`);
      files.push({ name: entry['name'], base64: entry['data'] });
    }
  }
  return files;
}

function decodeBase64(text: string, onError: () => never): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) onError();
  return Buffer.from(compact, 'base64');
}

function objectOrEmpty(value: JsonValue | undefined, onError: () => never): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) onError();
  return value as JsonObject;
}
