/** What a redacted value is shown as. */
export const MASK = '••••••';
/** A redacted value that differs from the one it replaces (the `after` of a before/after pair). */
export const MASK_CHANGED = '•••••• (changed)';
