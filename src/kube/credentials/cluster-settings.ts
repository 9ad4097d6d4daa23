import { readFile } from 'node:fs/promises';
import { formatPath, type JsonObject } from '../../core/json.ts';
import { parseYamlFile } from '../../desired/yaml-file.ts';
import { lazyJsonSchema } from '../../schema/json-schema.ts';
import { ClusterCredentialsError, type ClusterCredentials } from './cluster-credentials.ts';

const CONTEXT = { type: 'string', minLength: 1 };
const REGION = { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' };

const SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  required: ['clusters'],
  properties: {
    clusters: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { type: 'object', additionalProperties: false, required: ['snapshotFile'], properties: { snapshotFile: { type: 'string', minLength: 1 } } },
          { type: 'object', additionalProperties: false, required: ['kubeconfigFile'], properties: { kubeconfigFile: { type: 'string', minLength: 1 }, context: CONTEXT } },
          { type: 'object', additionalProperties: false, required: ['ssmParameter'], properties: { ssmParameter: { type: 'string', minLength: 1 }, region: REGION, context: CONTEXT } },
          { type: 'object', additionalProperties: false, required: ['secretsManagerSecret'], properties: { secretsManagerSecret: { type: 'string', minLength: 1 }, region: REGION, context: CONTEXT } },
          {
            type: 'object',
            additionalProperties: false,
            required: ['eks'],
            properties: {
              eks: {
                type: 'object',
                additionalProperties: false,
                required: ['cluster', 'region'],
                properties: { cluster: { type: 'string', minLength: 1 }, region: REGION, server: { type: 'string', pattern: '^https://' }, certificateAuthority: { type: 'string' } },
              },
            },
          },
        ],
      },
    },
  },
};

const validate = lazyJsonSchema(SCHEMA);

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
