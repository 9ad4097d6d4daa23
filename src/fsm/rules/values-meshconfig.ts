import { dump } from 'js-yaml';
import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { formatPath, type JsonObject, type JsonValue, type PathSegment } from '../../core/json.ts';
import { leafDiffs, type LeafDiff } from '../../plan/field-changes.ts';
import { ManifestError, parseManifest } from '../../plan/release-changes.ts';
import type { HelmRelease } from '../../live/helm-release.ts';
import type { ChartRender } from '../../plan/plan-types.ts';
import { fsmNamespaceKept, nullSections, underNullSection, valueAtDotted, valuesPathsOverlap } from '../helm-values.ts';
import { ENABLE_CHART_UPGRADES } from '../chart-upgrade-hint.ts';
import { VALUES_TO_MESHCONFIG, type ValuesSeed } from '../values-meshconfig-map.ts';
import type { Rule } from './rule.ts';

const MAX_PENDING_NOTICES = 10;
const NAMED_OBJECTS = 6;

/** The seed rows of one values path (a path can feed several MeshConfig leaves, e.g. fsm.image.registry). */
const SEEDS_BY_VALUES = new Map<string, ValuesSeed[]>();
for (const row of VALUES_TO_MESHCONFIG) SEEDS_BY_VALUES.set(row.values, [...(SEEDS_BY_VALUES.get(row.values) ?? []), row]);

/**
 * What a values.yaml change does, judged by the chart's own templates (table: src/fsm/values-meshconfig-map.ts,
 * derived from FSM's charts/fsm/templates). A key only the preset-mesh-config ConfigMap reads seeds the
 * MeshConfig at first install and nothing else (fsm-bootstrap creates the MeshConfig only when it is missing):
 * warn and show the meshconfig.yaml change that would work. A key other chart objects read too (fsm.image.tag:
 * every control-plane Deployment) changes those on a chart upgrade (which apply runs with `chart.upgrade`): a notice that
 * names them and says the MeshConfig keeps its install value. Every other changed key: a pending-upgrade notice.
 * Keys under a section the user set to null are left to the values-schema rule's one finding about it.
 */
/** Where a chart upgrade stands for the environment (`chart.upgrade` in .github/fsm-gitops.yml). */
const UPGRADE_OFF = `this environment does not run chart upgrades, so apply leaves the Helm release as it is; to enable them, ${ENABLE_CHART_UPGRADES}`;
const UPGRADE_PLANNED = 'the plan lists what the upgrade changes, and apply runs it (helm upgrade)';
const UPGRADE_UNRENDERED = 'the chart could not be rendered with these values (the errors of this plan say why), so the plan cannot list what the upgrade changes and apply does not run it until it can';
/** The release's stored chart has no templates (a hand-made snapshot, as examples/cluster's is): nothing to list. */
const DEPLOYED_RENDERS_NOTHING = "apply runs it (helm upgrade), but the chart rendered no objects, so the plan lists none: the deployed release's chart holds no templates (as in the example snapshot, examples/cluster); plan against the cluster, or a snapshot taken from it, to see what the upgrade changes";
/**
 * chart.version's chart, pulled from the repository, rendered nothing with these values: the upgrade removes what
 * the release has now, which the plan lists as deletes (or nothing, when the release has nothing either).
 */
const pulledRendersNothing = (version: string, deployed: number): string =>
  `apply runs it (helm upgrade), but chart version ${version} (chart.version, from chart.repository) rendered no objects with these values, ` +
  (deployed > 0 ? `so the upgrade removes all ${deployed} objects the release has now (the plan lists them as deletes)` : 'so the plan lists none') +
  ': check that version and values.yaml';

/** Where the chart upgrade stands for a values change, as one of the texts above: off, unrendered, rendered nothing, planned. */
function upgradeStand(upgrades: boolean, chart: ChartRender | undefined): string {
  if (!upgrades) return UPGRADE_OFF;
  if (chart && !chart.ok) return UPGRADE_UNRENDERED;
  if (chart?.ok && chart.rendered.size === 0) return 'files' in chart.upgrade.chart ? DEPLOYED_RENDERS_NOTHING : pulledRendersNothing(chart.chartVersion, chart.deployed.size);
  return UPGRADE_PLANNED;
}

export const valuesMeshConfigRule: Rule = {
  name: 'values-meshconfig',
  check({ desired, live, helmValues, environment, chart }) {
    const values = desired.values;
    const upgrade = upgradeStand(environment.chart?.upgrade === true, chart);
    if (!values || !helmValues) return [];
    const { deployed, wanted } = helmValues;
    const sections = nullSections(values.values, live.helmRelease?.chartValues ?? {});
    const diffs = leafDiffs(deployed, wanted).filter((d) => !underNullSection(d.path, sections));
    const findings: Finding[] = [];
    const seeded = new Set<LeafDiff>();
    const installed = lazily(() => installedObjects(live.helmRelease));
    for (const [valuesPath, seeds] of SEEDS_BY_VALUES) {
      const changed = diffs.filter((d) => valuesPathsOverlap(formatPath(d.path), valuesPath));
      if (changed.length === 0) continue;
      changed.forEach((d) => seeded.add(d));
      const renderedInto = [...new Set(seeds[0]!.readBy.filter((r) => changed.some((d) => valuesPathsOverlap(formatPath(d.path), r.values))).map((r) => r.object))];
      const readers = onlyInstalled(renderedInto, installed());
      const after = valueAtDotted(wanted, valuesPath);
      const leaves = seeds.map((s) => `spec.${s.meshConfig}`).join(', ');
      if (readers.length === 0) {
        findings.push(
          findingAt(values, valuesPath.split('.'), 'warning', 'values-no-effect-after-install', `${valuesPath} only seeds the MeshConfig (${leaves}) at first install; changing it has no effect on the running mesh. To change it, put this in the environment's meshconfig.yaml instead:\n${equivalentMeshConfig(seeds, after)}`),
        );
      } else {
        const named = readers.slice(0, NAMED_OBJECTS).join(', ') + (readers.length > NAMED_OBJECTS ? ` and ${readers.length - NAMED_OBJECTS} more` : '');
        findings.push(
          findingAt(values, valuesPath.split('.'), 'notice', 'values-upgrade-pending', `${valuesPath} changes (${show(valueAtDotted(deployed, valuesPath))} → ${show(after)}): the chart renders it into ${named}, so a chart upgrade changes them (a changed Deployment or DaemonSet restarts its pods): ${upgrade}. It also seeded ${leaves} of the MeshConfig at install, which an upgrade leaves as it is: to change that too, set it in meshconfig.yaml`),
        );
      }
    }
    const pending = diffs.filter((d) => !seeded.has(d));
    const releaseNamespace = live.helmRelease?.namespace ?? environment.mesh.namespace;
    for (const diff of pending.slice(0, MAX_PENDING_NOTICES)) {
      const name = diff.shown;
      const namespaceKept = name === 'fsm.fsmNamespace' && fsmNamespaceKept(diff.before, diff.after, releaseNamespace);
      const effect = namespaceKept ? `; the chart still deploys FSM into the release's namespace, ${releaseNamespace}, as it does for an empty one` : '';
      findings.push(
        findingAt(values, shownAt(diff), 'notice', 'values-upgrade-pending', `${name} changes (${show(diff.before)} → ${show(diff.after)})${effect}: this needs a chart upgrade: ${upgrade}`),
      );
    }
    if (pending.length > MAX_PENDING_NOTICES) {
      findings.push(findingAt(values, [], 'notice', 'values-upgrade-pending', `${pending.length - MAX_PENDING_NOTICES} more values changes need a chart upgrade (see the HelmValues change in the plan)`));
    }
    return findings;
  },
};

/**
 * `Kind name` of each object the deployed revision installed (its manifest), or undefined when that is not
 * known (no manifest stored, or one that cannot be read): the table then names every object the chart can
 * render, installed or not.
 */
function installedObjects(release: HelmRelease | undefined): Set<string> | undefined {
  if (!release?.manifest) return undefined;
  try {
    return new Set([...parseManifest(release.manifest, "the deployed release's manifest").values()].map((o) => `${o.kind} ${o.metadata.name}`));
  } catch (error) {
    if (error instanceof ManifestError) return undefined;
    throw error;
  }
}

/**
 * The objects of `renderedInto` the release installed: the table (values-meshconfig-map.ts) lists what the
 * chart can render, and an install without e.g. fsm-xnetwork does not restart it. When none of them is
 * installed, all are kept: the change may be installing one (a notice naming it is then still true).
 */
function onlyInstalled(renderedInto: string[], installed: Set<string> | undefined): string[] {
  const present = installed ? renderedInto.filter((object) => installed.has(object)) : renderedInto;
  return present.length > 0 ? present : renderedInto;
}

function lazily<T>(compute: () => T): () => T {
  let done: { value: T } | undefined;
  return () => (done ??= { value: compute() }).value;
}

/** The meshconfig.yaml fragment setting every leaf the path seeds: copied leaves get the value, computed ones a placeholder saying how the chart builds them. */
function equivalentMeshConfig(seeds: readonly ValuesSeed[], value: JsonValue | undefined): string {
  const spec: JsonObject = {};
  const computed: string[] = [];
  for (const seed of seeds) {
    let node = spec;
    const keys = seed.meshConfig.split('.');
    keys.forEach((key, i) => {
      if (i < keys.length - 1) node = (node[key] ??= {}) as JsonObject;
      else if (seed.copied) node[key] = value ?? null;
      else {
        node[key] = '<the value the chart would compute>';
        computed.push(`spec.${seed.meshConfig} = ${seed.expression ?? ''}`);
      }
    });
  }
  const yaml = dump({ spec }, { indent: 2 }).trimEnd();
  return computed.length === 0 ? yaml : `${yaml}\n(the chart computes ${computed.join('; ')})`;
}

/** Where values.yaml shows a change: a removed list item at its list (its index is the one it had before, another item's now, or none). */
function shownAt(diff: LeafDiff): PathSegment[] {
  return diff.after === undefined && typeof diff.path.at(-1) === 'number' ? diff.path.slice(0, -1) : diff.path;
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
