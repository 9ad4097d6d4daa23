export const EXIT = {
  /** Valid, and nothing to change. */
  ok: 0,
  /** At least one finding of severity error. */
  findings: 1,
  /** Valid with changes (only with --detailed-exitcode). */
  changes: 2,
  /** Could not run: bad flags, unreadable config, unreachable cluster. */
  failed: 3,
  /** apply: the question was answered with anything but "yes": nothing applied. */
  declined: 4,
} as const;
