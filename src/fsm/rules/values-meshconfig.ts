import { dump } from 'js-yaml';
import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { deepEqual, formatPath, type JsonObject, type JsonValue } from '../../core/json.ts';
import { leafDiffs } from '../../plan/field-changes.ts';
import { valueAtDotted } from '../helm-values.ts';
import { VALUES_TO_MESHCONFIG } from '../values-meshconfig-map.ts';
import type { Rule } from './rule.ts';

const MAX_PENDING_NOTICES = 10;

/**
 * Chart values seed the MeshConfig only at first install, so changing one of those keys in values.yaml
 * does nothing to a running mesh: warn and show the meshconfig.yaml change that would. Every other
 * changed key needs a chart upgrade, which apply does not run yet: say so.
 */
export const valuesMeshConfigRule: Rule = {
  name: 'values-meshconfig',
  check({ desired, helmValues }) {
    const values = desired.values;
    if (!values || !helmValues) return [];
    const { deployed, wanted } = helmValues;
    const findings: Finding[] = [];
    const seeding = new Set<string>();
    for (const { values: valuesPath, meshConfig } of VALUES_TO_MESHCONFIG) {
      seeding.add(valuesPath);
      const before = valueAtDotted(deployed, valuesPath);
      const after = valueAtDotted(wanted, valuesPath);
      if (deepEqual(before, after)) continue;
      findings.push(
        findingAt(
          values,
          valuesPath.split('.'),
          'warning',
          'values-no-effect-after-install',
          `${valuesPath} only seeds the MeshConfig at first install; changing it has no effect on the running mesh. To change it, put this in the environment's meshconfig.yaml instead:\n${equivalentMeshConfig(meshConfig, after)}`,
        ),
      );
    }
    const seeded = (name: string): boolean => [...seeding].some((p) => name === p || name.startsWith(`${p}.`) || name.startsWith(`${p}[`));
    const pending = leafDiffs(deployed, wanted).filter((d) => !seeded(formatPath(d.path)));
    for (const diff of pending.slice(0, MAX_PENDING_NOTICES)) {
      const name = formatPath(diff.path);
      findings.push(
        findingAt(values, diff.path, 'notice', 'values-upgrade-pending', `${name} changes (${show(diff.before)} → ${show(diff.after)}): this needs a chart upgrade, which fsm-gitops does not run yet; apply leaves the Helm release as it is`),
      );
    }
    if (pending.length > MAX_PENDING_NOTICES) {
      findings.push(findingAt(values, [], 'notice', 'values-upgrade-pending', `${pending.length - MAX_PENDING_NOTICES} more values changes need a chart upgrade (see the HelmValues change in the plan)`));
    }
    return findings;
  },
};

function equivalentMeshConfig(meshConfigPath: string, value: JsonValue | undefined): string {
  const spec: JsonObject = {};
  let node = spec;
  const keys = meshConfigPath.split('.');
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value ?? null;
    else node = node[key] = {};
  });
  return dump({ spec }, { indent: 2 }).trimEnd();
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
