import { findingAt } from '../../core/findings.ts';
import { compileJsonSchema } from '../../schema/json-schema.ts';
import { missingRelease } from '../../live/live-gaps.ts';
import type { Rule } from './rule.ts';

/** values.yaml, coalesced onto the chart's defaults as Helm does, against the deployed chart's values.schema.json. */
export const valuesSchemaRule: Rule = {
  name: 'values-schema',
  check(context) {
    const { desired, live, helmValues } = context;
    const values = desired.values;
    if (!values) return [];
    const release = live.helmRelease;
    if (!release?.chartSchema) {
      const why = release ? `the deployed chart ${release.chartName} ${release.chartVersion} has no values.schema.json` : missingRelease(live, context.environment.mesh);
      return [findingAt(values, [], 'warning', 'schema-unavailable', `values.yaml was not validated: ${why}`)];
    }
    let validate;
    try {
      validate = compileJsonSchema(release.chartSchema);
    } catch (error) {
      const why = `the deployed chart's values.schema.json cannot be compiled (${(error as Error).message})`;
      return [findingAt(values, [], 'warning', 'schema-unavailable', `values.yaml was not validated: ${why}`)];
    }
    return validate(helmValues?.wanted ?? values.values).map((v) => findingAt(values, v.path, 'error', v.code, v.message));
  },
};
