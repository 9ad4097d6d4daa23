import { isObject } from '../core/json.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import { decodeTextFile } from '../desired/text-file.ts';
import { parseYamlFile } from '../desired/yaml-file.ts';
import type { EnvironmentConfig } from './repo-config.ts';
import { DEFAULT_MESH, MAX_CONFIG_BYTES, REPO_CONFIG_PATHS } from './repo-config-files.ts';
import { DNS_LABEL, PLAIN_TEXT } from './repo-config-schema.ts';

/** What a live read needs of an environment: where it deploys (`cluster:`) and its mesh. */
export type EnvironmentTarget = Pick<EnvironmentConfig, 'name' | 'cluster' | 'mesh'>;

const LABEL = new RegExp(DNS_LABEL);
const TEXT = new RegExp(PLAIN_TEXT);

/**
 * The environments' names, `cluster:` and `mesh:` (with its defaults) from the repository config, in file
 * order, read without validating the rest of the file: that needs its JSON schema compiled by ajv, ~15% of a
 * live plan's start-up. For work started ahead that loadRepoConfig's answer confirms or discards (the CLI's
 * first live read, live-state-choice.ts). Each field is checked as the schema checks it (a DNS label, plain
 * text, their lengths), so nothing the schema refuses reaches a request. undefined when loadRepoConfig would
 * find no config or refuse it for one of these fields, the file's size, encoding or YAML.
 */
export async function peekEnvironmentTargets(repo: RepoFiles): Promise<EnvironmentTarget[] | undefined> {
  for (const file of REPO_CONFIG_PATHS) {
    const size = await repo.size?.(file);
    if (size !== undefined && size > MAX_CONFIG_BYTES) return undefined;
    const bytes = await repo.read(file);
    if (bytes === undefined) continue;
    const text = decodeTextFile(bytes, MAX_CONFIG_BYTES);
    const parsed = text.ok ? parseYamlFile(text.text, file) : undefined;
    const document = parsed?.ok && parsed.documents.length === 1 ? parsed.documents[0]!.value : undefined;
    const environments = isObject(document) && isObject(document['environments']) ? document['environments'] : undefined;
    if (environments === undefined) return undefined;
    const targets: EnvironmentTarget[] = [];
    for (const [name, raw] of Object.entries(environments)) {
      const mesh = isObject(raw) ? (raw['mesh'] ?? {}) : undefined;
      const cluster = isObject(raw) ? raw['cluster'] : undefined;
      if (!isLabel(name) || !isObject(mesh) || typeof cluster !== 'string' || !(cluster.length <= 253 && TEXT.test(cluster))) return undefined;
      const meshName = mesh['name'] ?? DEFAULT_MESH.name;
      const namespace = mesh['namespace'] ?? DEFAULT_MESH.namespace;
      if (!isLabel(meshName) || !isLabel(namespace)) return undefined;
      targets.push({ name, cluster, mesh: { name: meshName, namespace } });
    }
    return targets;
  }
  return undefined;
}

function isLabel(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 63 && LABEL.test(value);
}
