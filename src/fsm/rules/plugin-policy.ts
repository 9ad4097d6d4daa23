import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import type { Rule } from './rule.ts';

/** FSM's admission webhook rejects every plugin kind unless the MeshConfig that is live enables plugin policy. */
export const pluginPolicyRule: Rule = {
  name: 'plugin-policy',
  check({ managed, effectiveMeshConfig }) {
    const plugins = managed.filter((r) => r.kind !== 'MeshConfig');
    if (plugins.length === 0 || getAt(effectiveMeshConfig, ['spec', 'featureFlags', 'enablePluginPolicy']) === true) return [];
    const why = effectiveMeshConfig ? 'the MeshConfig after this change still has spec.featureFlags.enablePluginPolicy off' : 'the cluster has no MeshConfig';
    return plugins.map((r) =>
      findingAt(r, ['kind'], 'error', 'plugin-policy-disabled', `FSM rejects ${r.kind} objects unless plugin policy is on, and ${why}; set spec.featureFlags.enablePluginPolicy: true in the environment's meshconfig.yaml (in this change or before it)`),
    );
  },
};
