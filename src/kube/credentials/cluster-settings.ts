import { readFile } from 'node:fs/promises';
import { formatPath } from '../../core/json.ts';
import { parseYamlFile } from '../../desired/yaml-file.ts';
import { validateClusterSettings } from '../../schema/compiled/cluster-settings.ts';
import { ownSchemaValidator } from '../../schema/own-schema.ts';
import { CLUSTER_SETTINGS_SCHEMA } from './cluster-settings-schema.ts';
import { ClusterCredentialsError, type ClusterCredentials } from './cluster-credentials.ts';

const validate = ownSchemaValidator(CLUSTER_SETTINGS_SCHEMA, validateClusterSettings);

/**
 * The app's cluster settings (docs/clusters.md): which credential reaches each cluster name that
 * repositories' `cluster:` fields use. YAML or JSON; from the file FSM_GITOPS_CLUSTERS_FILE names, or
 * inline in FSM_GITOPS_CLUSTERS.
 */
export function parseClusterSettings(source: string, text: string): Record<string, ClusterCredentials> {
  const parsed = parseYamlFile(text, source);
  if (!parsed.ok) throw new ClusterCredentialsError(`${source}:${parsed.line}:${parsed.column}: ${parsed.message}`);
  const document = parsed.documents[0];
  if (!document) throw new ClusterCredentialsError(`${source} is empty: it needs a clusters: mapping (see docs/clusters.md)`);
  const [violation] = validate(document.value);
  if (violation) {
    const at = document.locate(violation.path);
    const shapeless = violation.code === 'schema-constraint' && violation.message.includes('allowed shapes');
    const problem = shapeless ? 'give exactly one of kubeconfigFile, ssmParameter, secretsManagerSecret, eks or snapshotFile, with only its own options (see docs/clusters.md)' : violation.message;
    throw new ClusterCredentialsError(`${source}:${at.line}:${at.column}: ${formatPath(violation.path)}: ${problem}`);
  }
  return (document.value as { clusters: Record<string, ClusterCredentials> }).clusters;
}

export async function clusterSettingsFromEnv(env: Record<string, string | undefined>): Promise<Record<string, ClusterCredentials>> {
  const file = env['FSM_GITOPS_CLUSTERS_FILE'];
  if (file) return parseClusterSettings(file, await readFile(file, 'utf8'));
  const inline = env['FSM_GITOPS_CLUSTERS'];
  if (inline) return parseClusterSettings('FSM_GITOPS_CLUSTERS', inline);
  return {};
}
