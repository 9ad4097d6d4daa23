import type { Finding } from '../../core/finding.ts';
import { chartBump } from '../chart-version.ts';
import type { Rule } from './rule.ts';

/**
 * helm's refusal of a chart whose Chart.yaml `kubeVersion` excludes the cluster's version (helm pkg/action:
 * "chart requires kubeVersion: %s which is incompatible with Kubernetes %s"), the same from install, upgrade and
 * template. helm is the authority on the match (its SemVer constraints), so the rule reads its verdict.
 */
const KUBE_VERSION_REFUSAL = /chart requires kubeVersion: (.+?) which is incompatible with Kubernetes (\S+)/;

/**
 * An environment's chart upgrade (`chart:` in the repository config): the version bump by the seed's rules
 * (chart-version.ts: a downgrade is refused, a breaking bump needs `allowBreaking: true`), and helm's refusal
 * to render the chart: its `kubeVersion` against the cluster's version (chart-kube-version), or anything else
 * (chart-render-failed: its values.schema.json, a template error, no helm).
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
    const kubeRefusal = chart && !chart.ok ? KUBE_VERSION_REFUSAL.exec(chart.message) : null;
    if (chart && !chart.ok && kubeRefusal) {
      const [, constraint, cluster] = kubeRefusal;
      const where = live.origin === 'snapshot' ? `the cluster runs ${cluster} (the version in ${live.source})` : `the cluster runs ${cluster}`;
      findings.push({ severity: 'error', code: 'chart-kube-version', ...at, message: `chart ${release.chartName} ${chart.chartVersion} requires Kubernetes ${constraint} (its Chart.yaml kubeVersion) and ${where}: helm refuses to install it there; set environments.${environment.name}.chart.version to a chart whose kubeVersion admits ${cluster}, or upgrade the cluster first` });
    } else if (chart && !chart.ok) {
      const file = desired.values ? { file: desired.values.file, line: 1 } : at;
      findings.push({ severity: 'error', code: 'chart-render-failed', ...file, message: `chart ${release.chartName} ${chart.chartVersion} could not be rendered with values.yaml: ${chart.message}` });
    }
    return findings;
  },
};
