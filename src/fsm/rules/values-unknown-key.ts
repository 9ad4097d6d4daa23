import { didYouMean } from '../../core/did-you-mean.ts';
import { findingAt } from '../../core/findings.ts';
import { isObject, type JsonObject } from '../../core/json.ts';
import type { Rule } from './rule.ts';

/** Helm gives every chart `global`, shared with its subcharts (Helm docs, "Subcharts and Global Values"). */
const HELM_GLOBAL = 'global';

/**
 * A top-level key of values.yaml that the deployed chart knows nothing of: not in its default values, its
 * values.schema.json's properties, a subchart's name (charts/NAME/) or `global`. FSM's schema does not close
 * its root (only what is under `fsm` is checked: schema-unknown-field), so a typo there (`fsmm:`) is otherwise
 * passed to helm, which ignores it: the values meant are never set. A warning, as Helm takes it; an error when
 * the environment runs chart upgrades and the file sets nothing under a key the deployed release sets values
 * under (`fms:` or `values: { fsm: ... }` and no `fsm:`, or `fsm: {}`): an upgrade takes values.yaml whole
 * (`--reset-values`, as `fsm mesh upgrade`), so those values would go back to the chart's defaults, and the stray
 * key is the likely home of the values meant.
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
        const reset = (names: string[]): string => `${message}, and values.yaml sets no ${names.map((n) => `\`${n}\``).join(' or ')}: the upgrade takes values.yaml whole, so every value the deployed release sets under ${names.map((n) => `\`${n}\``).join(' and ')} would go back to the chart's default`;
        if (near && dropped.includes(near)) {
          return findingAt(values, [key], 'error', 'values-unknown-key', `${reset([near])}; did you mean \`${near}\`?`);
        }
        if (dropped.length > 0) {
          const into = dropped.map((n) => `\`${n}:\``).join(' or ');
          return findingAt(values, [key], 'error', 'values-unknown-key', `${reset(dropped)}; if what is under \`${key}\` is meant for ${into}, move it there; if the reset is meant, remove \`${key}\``);
        }
        return findingAt(values, [key], 'warning', 'values-unknown-key', `${message}; ${near ? `did you mean \`${near}\`?` : `remove it, or check the chart's values (${known.join(', ')})`}`);
      });
  },
};

/** Whether `values` sets something under `key`: a value other than null or an empty mapping. */
function setsSomething(values: JsonObject, key: string): boolean {
  const value = Object.hasOwn(values, key) ? values[key] : undefined;
  return value !== undefined && value !== null && !(isObject(value) && Object.keys(value).length === 0);
}
