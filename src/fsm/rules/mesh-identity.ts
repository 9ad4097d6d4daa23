import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { fsmNamespaceKept, nullSections, underNullSection, valueAtDotted } from '../helm-values.ts';
import type { Rule } from './rule.ts';
import { isDnsLabel } from '../../core/names.ts';

/**
 * A mesh keeps its name and namespace for life: FSM's upgrade refuses to change them, so the plan does too. The
 * namespace is compared as the chart renders it: a values.yaml that leaves `fsm.fsmNamespace` out keeps the release's.
 */
export const meshIdentityRule: Rule = {
  name: 'mesh-identity',
  check({ desired, live, helmValues, environment }) {
    const values = desired.values;
    if (!values) return [];
    const findings: Finding[] = [];
    const meshName = valueAtDotted(values.values, 'fsm.meshName');
    if (meshName !== undefined && (typeof meshName !== 'string' || !isDnsLabel(meshName))) {
      findings.push(
        findingAt(values, ['fsm', 'meshName'], 'error', 'mesh-name-invalid', `mesh name ${JSON.stringify(meshName)} is not an RFC 1123 DNS label: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit`),
      );
    }
    if (!helmValues) return findings;
    const { deployed, wanted } = helmValues;
    // Under a section the user left null (`fsm:` with its keys commented out) the values-schema rule speaks once.
    const sections = nullSections(values.values, live.helmRelease?.chartValues ?? {});
    for (const key of ['meshName', 'fsmNamespace'] as const) {
      if (underNullSection(['fsm', key], sections)) continue;
      const before = valueAtDotted(deployed, `fsm.${key}`);
      const after = valueAtDotted(wanted, `fsm.${key}`);
      if (key === 'fsmNamespace' && fsmNamespaceKept(before, after, live.helmRelease?.namespace ?? environment.mesh.namespace)) continue;
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(after)) {
        findings.push(
          findingAt(values, ['fsm', key], 'error', 'mesh-identity-changed', `fsm.${key} is ${JSON.stringify(before)} in the deployed release and cannot change on upgrade (the repo says ${JSON.stringify(after ?? null)}); set it back. A mesh with another name or namespace is a new install`),
        );
      }
    }
    return findings;
  },
};
