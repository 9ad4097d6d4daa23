export const EXIT = {
  /** Valid, and nothing to change. */
  ok: 0,
  /** At least one finding of severity error. */
  findings: 1,
  /** Valid with changes to apply (only with --detailed-exitcode): a pending change is not one. */
  changes: 2,
  /** Could not run: bad flags, unreadable config, unreachable cluster. */
  failed: 3,
  /** apply: the question was answered with anything but "yes": nothing applied. */
  declined: 4,
} as const;

/** What a plan's exit code says, as `fsm-gitops plan --help` and the JSON summary put it. */
export const PLAN_EXIT_MEANING: Readonly<Record<0 | 1 | 2, string>> = {
  0: 'valid; no changes, or changes without --detailed-exitcode',
  1: 'at least one finding of severity error',
  2: 'valid with changes to apply (--detailed-exitcode)',
};

/** What an apply's exit code says, as `fsm-gitops apply --help` and the JSON summary of `--output` put it. */
export const APPLY_EXIT_MEANING: Readonly<Record<0 | 1 | 3 | 4 | 130 | 143, string>> = {
  0: 'applied, or nothing to apply',
  1: 'the plan has errors: nothing applied',
  3: 'the apply failed: stderr says what was written, whether it was rolled back, and what could not be undone',
  4: 'declined at the question: nothing applied',
  130: 'stopped by Ctrl-C (SIGINT): nothing applied, or what was written rolled back (stderr says how that ended)',
  143: 'stopped by SIGTERM: nothing applied, or what was written rolled back (stderr says how that ended)',
};
