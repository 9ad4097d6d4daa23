import type { Options } from 'ajv';
import { isDateTime, isHostname, isIPv4Address, isIPv6Address } from './openapi-formats.ts';

/**
 * What ajv is given for every schema, both where it compiles at run time (src/schema/json-schema.ts, a chart's
 * values.schema.json) and where scripts/build-schemas.ts generates standalone code for fsm-gitops's own
 * schemas (src/schema/compiled). This module imports no ajv code: the generated modules import it.
 */

/** Draft-07 formats that kube-style values use; any other format is ignored, as draft-07 allows. */
export const JSON_SCHEMA_FORMATS = { 'date-time': isDateTime, ipv4: isIPv4Address, ipv6: isIPv6Address, hostname: isHostname };

/** Patterns JavaScript cannot compile (Go's RE2 accepts some) are skipped rather than failing the whole schema. */
export const lenientRegExp = Object.assign(
  (pattern: string, flags: string): { test(text: string): boolean } => {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return { test: () => true };
    }
  },
  // The name generated code calls it by (it imports this module).
  { code: 'lenientRegExp' },
);

/**
 * allErrors and verbose: json-schema-errors.ts folds every branch's errors into one violation, and reads
 * error.schema / error.parentSchema. Never coerces or fills in defaults. No code optimisation: it is half of
 * compiling FSM's chart schema, and a values file is validated once.
 */
export const JSON_SCHEMA_OPTIONS = {
  allErrors: true,
  strict: false,
  verbose: true,
  formats: JSON_SCHEMA_FORMATS,
  code: { regExp: lenientRegExp, optimize: false },
} as const satisfies Options;
