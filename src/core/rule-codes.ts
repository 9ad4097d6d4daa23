/**
 * Every finding code fsm-gitops can emit. Codes are stable: tooling and users filter on them.
 * docs/rules.md documents each one (a test checks that it does).
 */
export const RULE_CODES = [
  // Reading the repository
  'environment-empty',
  'prune-withheld',
  'yaml-syntax',
  'file-empty',
  'yaml-limit',
  'yaml11-scalar',
  'file-not-text',
  'file-too-large',
  'environment-too-large',
  'symlink-skipped',
  'manifest-invalid',
  'metadata-invalid',
  'metadata-server-field',
  'resource-duplicate',
  // Safety
  'kind-not-managed',
  'namespace-not-allowed',
  'meshconfig-missing',
  // Ownership
  'not-owned',
  'object-terminating',
  'adopt',
  // Schemas (CRD openAPIV3Schema, chart values.schema.json)
  'schema-type',
  'schema-required',
  'schema-enum',
  'schema-unknown-field',
  'schema-constraint',
  'schema-list-key-duplicate',
  'schema-unavailable',
  'server-rejected',
  // Mesh identity and Helm values
  'mesh-name-invalid',
  'mesh-identity-changed',
  'values-no-effect-after-install',
  'values-upgrade-pending',
  'values-section-null',
  'values-unknown-key',
  'values-file-duplicate',
  // Chart upgrades (`chart:` in the repository config)
  'chart-downgrade',
  'chart-breaking-upgrade',
  'chart-kube-version',
  'chart-render-failed',
  'chart-release-pending',
  'chart-release-failed',
  'chart-wait-cut',
  'chart-live-changes',
  // Plugins
  'plugin-policy-disabled',
  'pipyscript-missing',
  'pipyscript-syntax',
  'script-unused',
  'chain-name-unknown',
  'plugin-ref-missing',
  'plugin-not-mounted',
  'destination-ref-ignored',
  'destination-ref-incomplete',
  'destination-ref-unmeshed',
  'destination-ref-missing',
  'destination-refs-unchecked',
  'selector-invalid',
  // Traffic settings
  'cidr-invalid',
  'cidr-host-bits',
  'port-invalid',
  'port-list-too-long',
  'interface-name-invalid',
  'traffic-exclusion-all',
  // Impact
  'restart-required',
  'drift',
  // Deploying from GitHub
  'policy-pending',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];
