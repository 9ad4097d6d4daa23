import type { ErrorObject } from 'ajv';
import type { JsonObject } from '../core/json.ts';
import { violationsOf } from './json-schema-errors.ts';
import type { JsonSchemaValidator } from './json-schema.ts';

/** A validation function as ajv's standalone code defines it (ajv's ValidateFunction, without its compile-time fields). */
export interface StandaloneValidate {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * One of fsm-gitops's own constant schemas as a validator, from the code scripts/build-schemas.ts generated
 * for it (src/schema/compiled): no ajv compile at run time (70-85 ms for the repository config's schema, in
 * every CLI run and Lambda cold start). The generated code refers to `schema` itself (not a copy) in its
 * errors, so the violations are those compileJsonSchema(schema) gives; test/schema/compiled-schemas.test.ts
 * checks both that and that the committed code is what the script generates today.
 */
export function ownSchemaValidator(schema: JsonObject, validate: StandaloneValidate): JsonSchemaValidator {
  return (value) => (validate(value) ? [] : violationsOf(validate.errors ?? [], schema, value));
}
