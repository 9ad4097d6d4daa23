import type { JsonObject } from '../core/json.ts';

/** A DNS label (RFC 1123), as Kubernetes names namespaces; at most 63 characters. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/**
 * Characters no name or path in the config may hold: C0 and C1 controls (NUL, ESC, CR, ...), DEL, and the
 * invisible direction marks and overrides (U+200E/F, U+202A-E, U+2066-9) that make text read otherwise
 * than it is (CVE-2021-42574, "Trojan Source").
 */
const HIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** Printable text, one character or more. */
export const PLAIN_TEXT = `^[^${HIDDEN}]+$`;
/** A folder inside the repository: relative, forward slashes, no `.`, `..` or empty segments, no hidden characters. */
export const REPO_FOLDER = `^(?![./])(?!.*(^|/)\\.{1,2}(/|$))(?!.*//)[^\\\\${HIDDEN}]+$`;

/** An exact chart version (SemVer 2, as Helm's Chart.yaml `version`; https://semver.org), e.g. `1.6.0` or `1.6.0-rc.1`. */
export const SEMVER = '^v?(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';

/** A GitHub team, `organization/team-slug`. */
export const TEAM_SLUG = '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$';
/** A chart repository's URL. */
export const URL_HTTP = '^https?://[^\\s]+$';

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
        keys: { type: 'array', uniqueItems: true, maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 253, pattern: PLAIN_TEXT } },
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
          path: { type: 'string', minLength: 1, maxLength: 1024, pattern: REPO_FOLDER },
          cluster: { type: 'string', minLength: 1, maxLength: 253, pattern: PLAIN_TEXT },
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
          teams: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: TEAM_SLUG } },
          restart: { type: 'string', enum: ['manual', 'rollout'] },
          prune: { type: 'boolean' },
          production: { type: 'boolean' },
          chart: {
            type: 'object',
            additionalProperties: false,
            properties: {
              upgrade: { type: 'boolean' },
              version: { type: 'string', pattern: SEMVER, maxLength: 128 },
              repository: { type: 'string', pattern: URL_HTTP, maxLength: 2048 },
              allowBreaking: { type: 'boolean' },
              wait: {
                type: 'object',
                additionalProperties: false,
                properties: { timeoutSeconds: { type: 'integer', minimum: 0, maximum: 3600 } },
              },
            },
          },
        },
      },
    },
  },
};
