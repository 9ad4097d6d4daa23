import { didYouMean } from '../../core/did-you-mean.ts';
import { findingAt } from '../../core/findings.ts';
import { isObject, type JsonObject, type JsonValue } from '../../core/json.ts';
import type { Rule } from './rule.ts';

/** Helm gives every chart `global`, shared with its subcharts (Helm docs, "Subcharts and Global Values"). */
const HELM_GLOBAL = 'global';

/**
 * A top-level key of values.yaml that the deployed chart knows nothing of: not in its default values, its
 * values.schema.json's properties, a subchart's name (charts/NAME/) or `global`. FSM's schema does not close
 * its root (only what is under `fsm` is checked: schema-unknown-field), so a typo there (`fsmm:`) is otherwise
 * passed to helm, which ignores it: the values meant are never set. A warning, as Helm takes it; an error when
 * the environment runs chart upgrades, the file sets nothing under a key the deployed release sets values under
 * (no `fsm:`, or `fsm: {}`), and the stray key looks meant for it: near it by name (`fms:`), or holding its
 * values (`values: { fsm: ... }`, `settings: { fsmController: ... }`). An upgrade takes values.yaml whole
 * (`--reset-values`, as `fsm mesh upgrade`), so the release's values there would go back to the chart's defaults.
 */
export const valuesUnknownKeyRule: Rule = {
  name: 'values-unknown-key',
  check({ desired, live, environment }) {
    const values = desired.values;
    const release = live.helmRelease;
    if (!values || !release) return [];
    const schemaKeys = isObject(release.chartSchema?.['properties']) ? Object.keys(release.chartSchema['properties']) : [];
    const subcharts = release.chartFiles.flatMap((file) => /^charts\/([^/]+)\//.exec(file.name)?.[1] ?? []);
    const known = [...new Set([...Object.keys(release.chartValues), ...schemaKeys, ...subcharts, HELM_GLOBAL])];
    // Keys whose deployed values an upgrade would reset, values.yaml setting nothing there.
    const dropped = environment.chart?.upgrade ? known.filter((key) => setsSomething(release.config, key) && !setsSomething(values.values, key)) : [];
    return Object.keys(values.values)
      .filter((key) => !known.includes(key))
      .map((key) => {
        const near = didYouMean(key, known);
        const message = `${key} is not a value of chart ${release.chartName} ${release.chartVersion} (its top-level values are ${known.join(', ')}): Helm passes it to no template, so nothing under it takes effect`;
        const reset = (name: string): string => `${message}, and values.yaml sets no \`${name}\`: the upgrade takes values.yaml whole, so every value the deployed release sets under \`${name}\` would go back to the chart's default`;
        if (near && dropped.includes(near) && isTypo(key, near)) return findingAt(values, [key], 'error', 'values-unknown-key', `${reset(near)}; did you mean \`${near}\`?`);
        // A key near another known key is that key misspelt, whatever it holds.
        const meant = near && !dropped.includes(near) ? undefined : dropped.map((name) => ({ name, why: holdsValuesOf(values.values[key], name, release.chartValues) })).find((m) => m.why !== undefined);
        if (meant) {
          return findingAt(values, [key], 'error', 'values-unknown-key', `${reset(meant.name)}. What is under \`${key}\` looks meant for \`${meant.name}\` (${meant.why}): move it under \`${meant.name}:\`; if the reset is meant, remove \`${key}\``);
        }
        return findingAt(values, [key], 'warning', 'values-unknown-key', `${message}; ${near ? `did you mean \`${near}\`?` : `remove it, or check the chart's values (${known.join(', ')})`}`);
      });
  },
};

/** A misspelling close enough to block an apply: one step for a name of up to four letters (`fms`, `fsmm`; `foo` is two from `fsm`), else two. */
function isTypo(key: string, near: string): boolean {
  return didYouMean(key, [near], key.length <= 4 ? 1 : 2) === near;
}

/**
 * Why a stray key's value looks like the values of top-level key `name`: it holds `name:` itself (nested one
 * level too deep), or keys the chart's defaults have under `name` (named at most three). Undefined otherwise.
 */
function holdsValuesOf(value: JsonValue | undefined, name: string, chartValues: JsonObject): string | undefined {
  if (!isObject(value)) return undefined;
  if (Object.hasOwn(value, name)) return `it holds \`${name}:\``;
  const defaults = chartValues[name];
  const shared = isObject(defaults) ? Object.keys(value).filter((key) => Object.hasOwn(defaults, key)) : [];
  return shared.length > 0 ? `${shared.slice(0, 3).map((key) => `\`${key}\``).join(', ')}${shared.length > 3 ? ' and more' : ''} ${shared.length === 1 ? 'is a key' : 'are keys'} of \`${name}\`` : undefined;
}

/** Whether `values` sets something under `key`: a value other than null or an empty mapping. */
function setsSomething(values: JsonObject, key: string): boolean {
  const value = Object.hasOwn(values, key) ? values[key] : undefined;
  return value !== undefined && value !== null && !(isObject(value) && Object.keys(value).length === 0);
}
