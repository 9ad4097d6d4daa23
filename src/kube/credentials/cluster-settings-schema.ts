import type { JsonObject } from '../../core/json.ts';

const CONTEXT = { type: 'string', minLength: 1 };
const REGION = { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' };

/** JSON Schema (draft-07) of the app's cluster settings (docs/clusters.md): one credential source per cluster name. */
export const CLUSTER_SETTINGS_SCHEMA: JsonObject = {
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
