import type { Finding } from '../../core/finding.ts';
import { chartBump } from '../chart-version.ts';
import type { Rule } from './rule.ts';

/**
 * An environment's chart upgrade (`chart:` in the repository config): the version bump by the seed's rules
 * (chart-version.ts: a downgrade is refused, a breaking bump needs `allowBreaking: true`), and helm's refusal
 * to render the chart (its values.schema.json, its `kubeVersion` against the cluster's, a template error).
 */
export const chartUpgradeRule: Rule = {
  name: 'chart-upgrade',
  check({ environment, live, desired, chart }) {
    const policy = environment.chart;
    const release = live.helmRelease;
    if (!policy?.upgrade || !release) return [];
    const findings: Finding[] = [];
    const at = { file: environment.pathAt?.file ?? '.github/fsm-gitops.yml', line: environment.pathAt?.line ?? 1 };
    const from = `${release.chartName} ${release.chartVersion}`;
    if (policy.version) {
      const bump = chartBump(release.chartVersion, policy.version);
      if (bump === 'downgrade') {
        findings.push({ severity: 'error', code: 'chart-downgrade', ...at, message: `environments.${environment.name}.chart.version ${policy.version} is older than the deployed chart ${from}: fsm-gitops does not downgrade FSM (its CRDs and stored objects may not go back); set chart.version to ${release.chartVersion} or later` });
      } else if (bump === 'breaking' && !policy.allowBreaking) {
        findings.push({ severity: 'error', code: 'chart-breaking-upgrade', ...at, message: `environments.${environment.name}.chart.version ${policy.version} is a breaking upgrade from the deployed chart ${from} (a new major version, or a new minor of 0.y): read FSM's release notes for ${policy.version}, then set chart.allowBreaking: true to run it` });
      }
    }
    if (chart && !chart.ok) {
      const file = desired.values ? { file: desired.values.file, line: 1 } : at;
      findings.push({ severity: 'error', code: 'chart-render-failed', ...file, message: `chart ${release.chartName} ${chart.chartVersion} could not be rendered with values.yaml: ${chart.message}` });
    }
    return findings;
  },
};
