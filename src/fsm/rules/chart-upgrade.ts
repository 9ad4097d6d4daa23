import { environmentAt, type ConfigPlace, type EnvironmentConfig } from '../../config/repo-config.ts';
import type { Finding } from '../../core/finding.ts';
import { deepEqual, formatPath, pathAtOrUnder, pathFromPointer } from '../../core/json.ts';
import { isPending, type HelmRelease, type ReleaseRevisionStatus } from '../../live/helm-release.ts';
import type { MeshRef } from '../../live/live-state.ts';
import { chartBump } from '../chart-version.ts';
import type { PlanContext, Rule } from './rule.ts';
import { valuesSchemaRule } from './values-schema.ts';

/**
 * helm's refusal of a chart whose Chart.yaml `kubeVersion` excludes the cluster's version (helm pkg/action:
 * "chart requires kubeVersion: %s which is incompatible with Kubernetes %s"), the same from install, upgrade and
 * template. helm is the authority on the match (its SemVer constraints), so the rule reads its verdict.
 */
const KUBE_VERSION_REFUSAL = /chart requires kubeVersion: (.+?) which is incompatible with Kubernetes (\S+)/;

/** helm's refusal of values by the chart's values.schema.json (helm pkg/chart/util ValidateAgainstSchema). */
const SCHEMA_REFUSAL = /values don't meet the specifications of the schema\(s\)/;

/**
 * An environment's chart upgrade (`chart:` in the repository config): the version bump by the seed's rules
 * (chart-version.ts: a downgrade is refused, a breaking bump needs `allowBreaking: true`), and helm's refusal
 * to render the chart: its `kubeVersion` against the cluster's version (chart-kube-version), or anything else
 * (chart-render-failed: its values.schema.json, a template error, no helm), and
 * a release an earlier helm left mid-operation or failed.
 */
export const chartUpgradeRule: Rule = {
  name: 'chart-upgrade',
  check(context) {
    const { environment, live, desired, chart, helmValues } = context;
    const policy = environment.chart;
    const release = live.helmRelease;
    if (!policy?.upgrade) return [];
    const at = environmentAt(environment, 'chart');
    const findings: Finding[] = releaseStateFindings(live.helmReleaseLatest, release, upgradeWanted(policy.version, release, helmValues), environment.mesh, at);
    if (!release) return findings;
    findings.push(...chartVersionFindings(environment, release));
    const kubeRefusal = chart && !chart.ok ? KUBE_VERSION_REFUSAL.exec(chart.message) : null;
    if (chart && !chart.ok && kubeRefusal) {
      const [, constraint, cluster] = kubeRefusal;
      const where = live.origin === 'snapshot' ? `the cluster runs ${cluster} (the version in ${live.source})` : `the cluster runs ${cluster}`;
      findings.push({ severity: 'error', code: 'chart-kube-version', ...environmentAt(environment, 'chart.version'), message: `chart ${release.chartName} ${chart.chartVersion} requires Kubernetes ${constraint} (its Chart.yaml kubeVersion) and ${where}: helm refuses to install it there; set environments.${environment.name}.chart.version to a chart whose kubeVersion admits ${cluster}, or upgrade the cluster first` });
    } else if (chart && !chart.ok && chart.pull) {
      findings.push({ severity: 'error', code: 'chart-render-failed', ...environmentAt(environment, 'chart.version'), message: `chart ${release.chartName} ${chart.chartVersion} could not be fetched from ${policy.repository}: ${chart.message}; check environments.${environment.name}.chart.version and chart.repository` });
    } else if (chart && !chart.ok && !(chart.chartVersion === release.chartVersion && refusalExplained(chart.message, context))) {
      // (Unless helm refused the values by the deployed chart's own schema where the values-schema rule's errors say so at their lines.)
      const file = desired.values ? { file: desired.values.file, line: 1 } : at;
      findings.push({ severity: 'error', code: 'chart-render-failed', ...file, message: `chart ${release.chartName} ${chart.chartVersion} could not be rendered with values.yaml: ${chart.message}` });
    }
    return findings;
  },
};

/**
 * chart.version against the deployed release (`chart-downgrade`, `chart-breaking-upgrade`; FSM's upgrade
 * notes: a new major, or a new minor of 0.y, may break), at the environment in the config. [] without
 * chart.upgrade or chart.version. Also used on a pull request's own config, which takes effect after merge.
 */
export function chartVersionFindings(environment: EnvironmentConfig, release: HelmRelease): Finding[] {
  const policy = environment.chart;
  if (!policy?.upgrade || !policy.version) return [];
  const at = environmentAt(environment, 'chart.version');
  const from = `${release.chartName} ${release.chartVersion}`;
  const bump = chartBump(release.chartVersion, policy.version);
  if (bump === 'downgrade') {
    return [{ severity: 'error', code: 'chart-downgrade', ...at, message: `environments.${environment.name}.chart.version ${policy.version} is older than the deployed chart ${from}: fsm-gitops does not downgrade FSM (its CRDs and stored objects may not go back); set chart.version to ${release.chartVersion} or later` }];
  }
  if (bump === 'breaking' && !policy.allowBreaking) {
    return [{ severity: 'error', code: 'chart-breaking-upgrade', ...at, message: `environments.${environment.name}.chart.version ${policy.version} is a breaking upgrade from the deployed chart ${from} (a new major version, or a new minor of 0.y): read FSM's release notes for ${policy.version}, then set chart.allowBreaking: true to run it` }];
  }
  return [];
}

/**
 * One place helm's schema refusal names: `- at '/fsm/fsmController/replicaCount': got string, want integer` (helm 4;
 * a JSON pointer, quoted as Go's %q quotes with `'` for `"`: `'/fsm/ports/it\'s'`, `'/fsm/a\tb'`; santhosh-tekuri/jsonschema v6).
 */
const REFUSED_AT = /^- at '((?:[^'\\\n]|\\.)*)'/gm;

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** The text of a place helm quoted (REFUSED_AT): Go's escapes undone (`\'`, `\\`, `\t`, `\u00a0`, `\xff`). */
function unquoted(place: string): string {
  return place.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (_, x?: string, u?: string, wide?: string, other?: string) =>
    x ? String.fromCharCode(parseInt(x, 16)) : u ? String.fromCharCode(parseInt(u, 16)) : wide ? String.fromCodePoint(Math.min(parseInt(wide, 16), 0x10ffff)) : (GO_ESCAPES[other!] ?? other!),
  );
}

/**
 * Whether helm's refusal is a schema refusal (SCHEMA_REFUSAL) every place of which the values-schema rule reports
 * as an error, at that place or under it (helm names an object for a key it does not allow; the rule, the key).
 * helm's JSON pointer is read against the coalesced values helm validated and written as formatPath writes the
 * rule's paths (`pluginChains.inbound-tcp[0]`, not `pluginChains.inbound-tcp.0`). Then helm says nothing the
 * plan does not say better. A refusal naming no place, or a place the rule does not report (a validator
 * difference, a subchart's schema), is not explained.
 */
function refusalExplained(message: string, context: PlanContext): boolean {
  if (!SCHEMA_REFUSAL.test(message)) return false;
  const values = context.helmValues?.wanted ?? context.desired.values?.values;
  const places = [...message.matchAll(REFUSED_AT)].map((m) => formatPath(pathFromPointer(unquoted(m[1]!), values)));
  if (places.length === 0) return false;
  const reported = valuesSchemaRule.check(context).filter((f) => f.severity === 'error').map((f) => f.path ?? '');
  return places.every((place) => reported.some((path) => pathAtOrUnder(path, place)));
}

/** Whether the plan asks helm for an upgrade: another chart version, or values that coalesce to others than the deployed ones. */
function upgradeWanted(version: string | undefined, release: HelmRelease | undefined, values: PlanContext['helmValues']): boolean {
  if (!release) return false;
  return (version !== undefined && version !== release.chartVersion) || (values !== undefined && !deepEqual(values.deployed, values.wanted));
}

/**
 * The release's newest revision as Helm judges it. A pending-* revision (a helm killed mid-operation, or one
 * running now) makes helm refuse any upgrade ("another operation (install/upgrade/rollback) is in progress",
 * helm pkg/action/upgrade.go): an error when this plan needs an upgrade, else a warning. `helm rollback` to the
 * deployed revision clears it (Helm allows a rollback from a pending revision). A failed revision does not stop
 * an upgrade (helm upgrades from the last deployed revision, which the plan diffs against), but the cluster may
 * hold what the failed revision wrote: a warning.
 */
function releaseStateFindings(latest: ReleaseRevisionStatus | undefined, deployed: HelmRelease | undefined, wanted: boolean, mesh: MeshRef, at: ConfigPlace): Finding[] {
  if (!latest || latest.status === 'deployed' || (deployed && latest.revision <= deployed.revision)) return [];
  const name = `${mesh.namespace}/${mesh.name}`;
  const target = deployed?.revision ?? latest.lastSucceeded;
  const back = target !== undefined ? `\`helm rollback ${mesh.name} ${target} -n ${mesh.namespace}\`` : `\`helm uninstall ${mesh.name} -n ${mesh.namespace}\` and install FSM again`;
  if (isPending(latest.status)) {
    const why = `Helm release ${name} revision ${latest.revision} is ${latest.status}: an install, upgrade or rollback started and never finished (helm was stopped), or one is running now, and helm refuses to upgrade the release until it ends`;
    return [{ severity: wanted ? 'error' : 'warning', code: 'chart-release-pending', ...at, message: `${why}. When no helm is running on it, run ${back}${deployed ? ` (revision ${deployed.revision} is the one deployed)` : ''}, then plan again` }];
  }
  if (latest.status === 'failed' && !deployed) {
    // A failed upgrade whose rollback failed too: no revision is deployed, and the objects are half of each.
    return [{ severity: 'error', code: 'chart-release-failed', ...at, message: `Helm release ${name} has no deployed revision: revision ${latest.revision} failed${target !== undefined ? ` and revision ${target} was the last that succeeded` : ''}, so the cluster holds an unknown mix of both, and there is nothing for the plan to compare with. Run ${back} (after fixing what made it fail), then plan again` }];
  }
  if (latest.status === 'failed') {
    return [{ severity: 'warning', code: 'chart-release-failed', ...at, message: `Helm release ${name} revision ${latest.revision} failed; revision ${deployed!.revision} is the one deployed, which the plan compares with and helm upgrades from. The cluster may still hold what the failed revision wrote, which this plan does not show and an apply does not replace unless the values or chart change: run ${back} to restore the deployed revision` }];
  }
  return [];
}
