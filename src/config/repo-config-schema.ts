import type { JsonObject } from '../core/json.ts';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A folder inside the repository: relative, forward slashes, no `.` or `..` segments. */
export const REPO_FOLDER = '^(?![./])(?!.*(^|/)\\.{1,2}(/|$))[^\\\\]+$';

/** JSON Schema (draft-07) of `.github/fsm-gitops.yml`. docs/configuration.md describes each field. */
export const REPO_CONFIG_SCHEMA: JsonObject = {
  type: 'object',
  additionalProperties: false,
  required: ['environments'],
  properties: {
    version: { type: 'integer', enum: [1] },
    redact: {
      type: 'object',
      additionalProperties: false,
      properties: {
        keys: { type: 'array', uniqueItems: true, maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 253 } },
      },
    },
    environments: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: DNS_LABEL, maxLength: 63 },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'cluster'],
        properties: {
          path: { type: 'string', minLength: 1, pattern: REPO_FOLDER },
          cluster: { type: 'string', minLength: 1, maxLength: 253 },
          mesh: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', pattern: DNS_LABEL, maxLength: 63 },
              namespace: { type: 'string', pattern: DNS_LABEL, maxLength: 63 },
            },
          },
          deploy: { type: 'string', enum: ['on-merge', 'on-command', 'manual'] },
          approvals: { type: 'integer', minimum: 0, maximum: 10 },
          namespaces: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: DNS_LABEL, maxLength: 63 } },
          teams: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$' } },
          restart: { type: 'string', enum: ['manual', 'rollout'] },
          prune: { type: 'boolean' },
          production: { type: 'boolean' },
        },
      },
    },
  },
};
