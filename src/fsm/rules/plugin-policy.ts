import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import { refusedNames, type Rule } from './rule.ts';

/**
 * FSM's admission webhook rejects every plugin kind unless the MeshConfig that is live enables plugin policy. Not
 * judged while the repository's MeshConfig is refused or a file could not be read (the MeshConfig may be in it).
 */
export const pluginPolicyRule: Rule = {
  name: 'plugin-policy',
  check(context) {
    const { managed, effectiveMeshConfig, desired } = context;
    const plugins = managed.filter((r) => r.kind !== 'MeshConfig');
    if (plugins.length === 0 || getAt(effectiveMeshConfig, ['spec', 'featureFlags', 'enablePluginPolicy']) === true) return [];
    // The MeshConfig after this change is not known: the repository's was refused or a file could not be read. Its own error speaks.
    if (!managed.some((r) => r.kind === 'MeshConfig') && (refusedNames(context, 'MeshConfig').size > 0 || desired.unread.length > 0)) return [];
    const repository = managed.find((r) => r.kind === 'MeshConfig');
    const turnedOff = repository && getAt(repository.object, ['spec', 'featureFlags', 'enablePluginPolicy']) === false;
    const why = !effectiveMeshConfig
      ? 'the cluster has no MeshConfig'
      : turnedOff
        ? `this change turns it off (spec.featureFlags.enablePluginPolicy: false in ${repository.file}:${repository.locate(['spec', 'featureFlags', 'enablePluginPolicy']).line})`
        : 'the MeshConfig after this change still has spec.featureFlags.enablePluginPolicy off';
    return plugins.map((r) =>
      findingAt(r, ['kind'], 'error', 'plugin-policy-disabled', `FSM rejects ${r.kind} objects unless plugin policy is on, and ${why}; set spec.featureFlags.enablePluginPolicy: true in the environment's meshconfig.yaml (in this change or before it)`),
    );
  },
};
