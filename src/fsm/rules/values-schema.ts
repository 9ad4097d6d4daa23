import type { Finding } from '../../core/finding.ts';
import { findingAt } from '../../core/findings.ts';
import { formatPath } from '../../core/json.ts';
import type { DesiredValues } from '../../desired/desired-state.ts';
import { compileJsonSchema } from '../../schema/json-schema.ts';
import type { SchemaViolation } from '../../schema/violation.ts';
import { nullSections, underNullSection } from '../helm-values.ts';
import type { Rule } from './rule.ts';

/**
 * values.yaml, coalesced onto the chart's defaults as Helm does, against the deployed chart's values.schema.json.
 * A key the user left null over a default mapping (`fsm:` with every child commented out) makes Helm drop the
 * whole default subtree (helm's coalesceValues deletes a key set to null): one finding at that key, however
 * many schema errors follow from it (error) or none (warning `values-section-null`).
 */
export const valuesSchemaRule: Rule = {
  name: 'values-schema',
  check({ desired, live, helmValues }) {
    const values = desired.values;
    if (!values) return [];
    const release = live.helmRelease;
    const sections = release ? nullSections(values.values, release.chartValues) : [];
    if (!release?.chartSchema) {
      const why = release ? `the deployed chart ${release.chartName} ${release.chartVersion} has no values.schema.json` : `no deployed FSM Helm release was found in the cluster (${live.source})`;
      return [findingAt(values, [], 'warning', 'schema-unavailable', `values.yaml was not validated: ${why}`), ...nullSectionFindings(values, sections, [])];
    }
    let validate;
    try {
      validate = compileJsonSchema(release.chartSchema);
    } catch (error) {
      const why = `the deployed chart's values.schema.json cannot be compiled (${(error as Error).message})`;
      return [findingAt(values, [], 'warning', 'schema-unavailable', `values.yaml was not validated: ${why}`), ...nullSectionFindings(values, sections, [])];
    }
    const violations = validate(helmValues?.wanted ?? values.values);
    const others = violations.filter((v) => !underNullSection(v.path, sections));
    return [...others.map((v) => findingAt(values, v.path, 'error', v.code, v.message)), ...nullSectionFindings(values, sections, violations)];
  },
};

function nullSectionFindings(values: DesiredValues, sections: readonly string[][], violations: readonly SchemaViolation[]): Finding[] {
  return sections.map((section) => {
    const name = formatPath(section);
    const cause = `${name} is empty (null) in values.yaml, so Helm drops all of the chart's defaults under ${name} instead of keeping them (if every key under it is commented out, delete the \`${section.at(-1)}:\` line or write \`${section.at(-1)}: {}\`)`;
    const caused = violations.filter((v) => underNullSection(v.path, [section]));
    const [first] = caused;
    if (!first) return findingAt(values, section, 'warning', 'values-section-null', cause);
    const more = caused.length > 1 ? ` (and ${caused.length - 1} more schema errors under it)` : '';
    return findingAt(values, section, 'error', first.code, `${first.message}${more}: ${cause}`);
  });
}
