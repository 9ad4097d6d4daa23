import { QUOTED_LENGTH } from '../redact/mask.ts';
const MAX_LISTED = 20;

/** A value as a violation message shows it: `string "abc"`, `integer 5`, `boolean true`, `null`, `object`, `array`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return `string ${quote(value)}`;
    case 'number':
      return `${Number.isInteger(value) ? 'integer' : 'number'} ${String(value)}`;
    case 'boolean':
      return `boolean ${String(value)}`;
    case 'object':
      return 'object';
    default:
      return typeof value;
  }
}

/** A short literal: `"abc"`, `5`, `true`, `null`, `{…}`, `[…]`. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return '[…]';
  if (typeof value === 'object' && value !== null) return '{…}';
  return String(value);
}

/** `"a", "b", "c"`, cut after 20 values. */
export function listLiterals(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_LISTED).map(literal);
  if (values.length > MAX_LISTED) shown.push(`… (${values.length - MAX_LISTED} more)`);
  return shown.join(', ');
}

/** JSON-quoted, cut to about 40 characters (whole code points) with an ellipsis. */
export function quote(text: string): string {
  const chars = [...text];
  return chars.length <= QUOTED_LENGTH ? JSON.stringify(text) : `${JSON.stringify(chars.slice(0, QUOTED_LENGTH).join(''))}…`;
}

