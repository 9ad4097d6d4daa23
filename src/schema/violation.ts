import type { RuleCode } from '../core/rule-codes.ts';
import type { PathSegment } from '../core/json.ts';

export type SchemaViolationCode = Extract<
  RuleCode,
  'schema-type' | 'schema-required' | 'schema-enum' | 'schema-unknown-field' | 'schema-constraint' | 'schema-list-key-duplicate'
>;

/** One way a value breaks a schema; `path` points at the offending value (for a missing field, at the field itself). */
export interface SchemaViolation {
  code: SchemaViolationCode;
  path: PathSegment[];
  message: string;
}
