/** What a redacted value is shown as. */
export const MASK = '••••••';
/** A redacted value that differs from the one it replaces (the `after` of a before/after pair). */
export const MASK_CHANGED = '•••••• (changed)';
/**
 * How many characters (code points) of a value a message quotes before it cuts it with `…` (schema/describe.ts
 * quote()): a known credential is also searched for cut to this length, so a cut quote hides it too.
 */
export const QUOTED_LENGTH = 40;
