import type { JsonObject, JsonValue } from '../core/json.ts';
import { formatPath, getAt, isObject } from '../core/json.ts';
import { decodeTextFile, formatBytes } from '../desired/text-file.ts';
import { parseYamlFile, type YamlDocument } from '../desired/yaml-file.ts';
import { isUnder, normalizeRepoPath, type RepoFiles } from '../desired/repo-files.ts';
import { validateRepoConfig } from '../schema/compiled/repo-config.ts';
import { ownSchemaValidator } from '../schema/own-schema.ts';
import { explainConfigViolation } from './config-violations.ts';
import { REPO_CONFIG_SCHEMA } from './repo-config-schema.ts';
import { DEFAULT_MESH, MAX_CONFIG_BYTES, REPO_CONFIG_PATHS } from './repo-config-files.ts';

export type DeployMode = 'on-merge' | 'on-command' | 'manual';
export type RestartPolicy = 'manual' | 'rollout';

/** FSM's own chart repository (flomesh-io/fsm README, "helm repo add fsm https://flomesh-io.github.io/fsm"). */
export const FSM_CHART_REPOSITORY = 'https://flomesh-io.github.io/fsm';
/** How long an upgrade waits for the control plane to roll out, unless `chart.wait.timeoutSeconds` says otherwise. */
export const CHART_WAIT_SECONDS = 300;

/** `chart:` of an environment: whether and how fsm-gitops upgrades the FSM Helm release (docs/configuration.md). */
export interface ChartPolicy {
  /** Values and chart-version changes are rendered and upgraded; false: they stay a plan-only notice. */
  upgrade: boolean;
  /** The chart version to run; undefined: the deployed release's own chart (only the values change). */
  version?: string;
  /** Chart repository URL `version` is fetched from. */
  repository: string;
  /** Allow a chart bump that may break (0.y → 0.y+1, x → x+1). */
  allowBreaking: boolean;
  /** Seconds the upgrade waits for the control plane's rollout. */
  waitTimeoutSeconds: number;
}

export interface EnvironmentConfig {
  name: string;
  /** Folder holding the environment's files, repository-relative, no trailing slash. */
  path: string;
  /** Name of a cluster credential held by the app (never a credential itself). */
  cluster: string;
  mesh: { name: string; namespace: string };
  deploy: DeployMode;
  approvals: number;
  /** Namespaces the environment may manage namespaced resources in; undefined: the mesh's monitored namespaces. */
  namespaces: string[] | undefined;
  /** `org/team` slugs whose members may approve and apply; empty: anyone with write access. */
  teams: string[];
  /** After a change to a field read only at sidecar injection: list the workloads (manual) or restart them (rollout). */
  restart: RestartPolicy;
  /** Delete objects fsm-gitops created for this environment when their manifest is removed. */
  prune: boolean;
  /** GitHub Deployments mark it a production environment (`production_environment`). */
  production: boolean;
  /** How the FSM chart's release is upgraded (`chart:`); undefined when the config has no `chart:` (no upgrades). Kept absent then so the policy digest of configs written before `chart:` existed does not move. */
  chart?: ChartPolicy;
  /** Extra key names whose values are redacted from every output (the file's top-level `redact.keys`; src/redact). */
  redactKeys?: string[];
  /** Where the environment's keys are written in the repository config, for findings about them (an empty folder, a chart version). */
  at?: { file: string; keys: Record<EnvironmentKey, { line: number; column: number }> };
}

/** A place in the repository config a finding points at. */
export interface ConfigPlace {
  file: string;
  line: number;
  column: number;
}

/** An environment's keys findings point at, dotted as .github/fsm-gitops.yml spells them. */
export const ENVIRONMENT_KEYS = ['path', 'cluster', 'mesh', 'namespaces', 'deploy', 'approvals', 'teams', 'restart', 'prune', 'production', 'chart', 'chart.upgrade', 'chart.version', 'chart.repository', 'chart.allowBreaking', 'chart.wait.timeoutSeconds'] as const;
export type EnvironmentKey = (typeof ENVIRONMENT_KEYS)[number];

export interface RepoConfig {
  file: string;
  environments: EnvironmentConfig[];
  /** Where each environment's key is in the file, for findings about it (a Map: environment names are the user's keys). */
  places: ReadonlyMap<string, ConfigPlace>;
}

/** A configuration that cannot be used, with where and why. */
export class RepoConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, problem: string) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = 'RepoConfigError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

const validateConfig = ownSchemaValidator(REPO_CONFIG_SCHEMA, validateRepoConfig);

/** Reads and validates the repository's fsm-gitops config; undefined when the repository has none. */
export async function loadRepoConfig(repo: RepoFiles): Promise<RepoConfig | undefined> {
  for (const file of REPO_CONFIG_PATHS) {
    const size = await repo.size?.(file);
    if (size !== undefined && size > MAX_CONFIG_BYTES) throw new RepoConfigError(file, 1, 1, `the file is ${formatBytes(size)}, over the ${formatBytes(MAX_CONFIG_BYTES)} a config may be: keep only the environments and their policy in it`);
    const bytes = await repo.read(file);
    if (bytes !== undefined) return parseRepoConfig(file, bytes);
  }
  return undefined;
}

export function parseRepoConfig(file: string, bytes: Uint8Array): RepoConfig {
  const text = decodeTextFile(bytes, MAX_CONFIG_BYTES);
  if (!text.ok) throw new RepoConfigError(file, text.line, text.column, text.message);
  const parsed = parseYamlFile(text.text, file);
  if (!parsed.ok) throw new RepoConfigError(file, parsed.line, parsed.column, parsed.message);
  const [document, extra] = parsed.documents;
  if (!document || document.value === null) {
    throw new RepoConfigError(file, 1, 1, 'the file is empty; it needs an `environments:` mapping (see docs/configuration.md)');
  }
  if (extra) throw new RepoConfigError(file, extra.line, 1, 'the file holds more than one YAML document; keep one');
  const violation = validateConfig(document.value)[0];
  if (violation) {
    const at = document.locate(violation.path);
    const where = violation.path.length > 0 ? `${formatPath(violation.path)}: ` : '';
    throw new RepoConfigError(file, at.line, at.column, `${where}${explainConfigViolation(violation, getAt(document.value, violation.path))}`);
  }
  const environments = toEnvironments(document.value as JsonObject);
  const redactKeys = redactKeysOf(document.value as JsonObject);
  if (redactKeys.length > 0) for (const environment of environments) environment.redactKeys = redactKeys;
  for (const environment of environments) environment.at = { file, keys: keyPlaces(document, environment.name) };
  checkPathsDisjoint(file, document, environments);
  const places = new Map(environments.map((e) => [e.name, { file, ...document.locate(['environments', e.name]) }]));
  return { file, environments, places };
}

/** `redact: {keys: [...]}`: key names added to the built-in list of credential keys. */
function redactKeysOf(config: JsonObject): string[] {
  const redact = isObject(config['redact']) ? config['redact'] : {};
  return Array.isArray(redact['keys']) ? redact['keys'].map(String) : [];
}

function toEnvironments(config: JsonObject): EnvironmentConfig[] {
  const environments = isObject(config['environments']) ? config['environments'] : {};
  return Object.entries(environments).map(([name, raw]) => {
    const env = raw as JsonObject;
    const mesh = isObject(env['mesh']) ? env['mesh'] : {};
    return {
      name,
      path: normalizeRepoPath(String(env['path'])),
      cluster: String(env['cluster']),
      mesh: { name: typeof mesh['name'] === 'string' ? mesh['name'] : DEFAULT_MESH.name, namespace: typeof mesh['namespace'] === 'string' ? mesh['namespace'] : DEFAULT_MESH.namespace },
      deploy: (env['deploy'] as DeployMode | undefined) ?? 'manual',
      approvals: typeof env['approvals'] === 'number' ? env['approvals'] : 1,
      namespaces: Array.isArray(env['namespaces']) ? env['namespaces'].map(String) : undefined,
      teams: Array.isArray(env['teams']) ? env['teams'].map(String) : [],
      restart: (env['restart'] as RestartPolicy | undefined) ?? 'manual',
      prune: typeof env['prune'] === 'boolean' ? env['prune'] : true,
      production: typeof env['production'] === 'boolean' ? env['production'] : name === 'production',
      ...(env['chart'] === undefined ? {} : { chart: chartPolicyOf(env['chart']) }),
    };
  });
}

function chartPolicyOf(raw: JsonValue | undefined): ChartPolicy {
  const chart = isObject(raw) ? raw : {};
  const wait = isObject(chart['wait']) ? chart['wait'] : {};
  const policy: ChartPolicy = {
    upgrade: chart['upgrade'] === true,
    repository: typeof chart['repository'] === 'string' ? chart['repository'] : FSM_CHART_REPOSITORY,
    allowBreaking: chart['allowBreaking'] === true,
    waitTimeoutSeconds: typeof wait['timeoutSeconds'] === 'number' ? wait['timeoutSeconds'] : CHART_WAIT_SECONDS,
  };
  if (typeof chart['version'] === 'string') policy.version = chart['version'].replace(/^v/, '');
  return policy;
}

function checkPathsDisjoint(file: string, document: YamlDocument, environments: EnvironmentConfig[]): void {
  for (const a of environments) {
    for (const b of environments) {
      if (a !== b && isUnder(b.path, a.path)) {
        const at = document.locate(['environments', b.name, 'path']);
        const same = a.path === b.path;
        throw new RepoConfigError(
          file,
          at.line,
          at.column,
          `environments.${b.name}.path "${b.path}" ${same ? 'is the same folder as' : 'is inside'} environments.${a.name}.path "${a.path}"; every environment needs a folder of its own`,
        );
      }
    }
  }
}

/** Each key's place; a key the file does not write is at its nearest written parent (YamlDocument.locate). */
function keyPlaces(document: YamlDocument, name: string): Record<EnvironmentKey, { line: number; column: number }> {
  return Object.fromEntries(ENVIRONMENT_KEYS.map((key) => [key, document.locate(['environments', name, ...key.split('.')])])) as Record<EnvironmentKey, { line: number; column: number }>;
}

/**
 * Where a key of an environment is written in the repository config (`path` by default: findings about the
 * environment as a whole point there; a key not written: its nearest written parent). An environment built
 * without a file (tests, the embedded example) is at line 1 of .github/fsm-gitops.yml.
 */
export function environmentAt(environment: EnvironmentConfig, key: EnvironmentKey = 'path'): ConfigPlace {
  const place = environment.at?.keys[key];
  return { file: environment.at?.file ?? '.github/fsm-gitops.yml', line: place?.line ?? 1, column: place?.column ?? 1 };
}
