/** How long each part of a repository's drift run may take (ms): a cluster that never answers costs its own part, not the others'. */
export interface DriftBudgets {
  /** The repository's check, all its environments. */
  repositoryMs: number;
  /** One environment's check, within the repository's. */
  environmentMs: number;
  /** The sweep of claims and pins and the refresh of pull requests' status, after the check. */
  housekeepingMs: number;
  /** One environment's sweep, within the housekeeping's. */
  sweepEnvironmentMs: number;
}

export const DRIFT_BUDGETS: DriftBudgets = { repositoryMs: 120_000, environmentMs: 60_000, housekeepingMs: 60_000, sweepEnvironmentMs: 15_000 };

/** A deadline (epoch ms) and what it is, for the error once it passes (`<request>: <name> is up`). */
export interface NamedDeadline {
  at: number;
  name: string;
}

/** A part of the drift run (the check, the sweep): its deadline, and at most `environmentMs` of it for each environment. */
export interface DriftPartTime {
  deadline: NamedDeadline;
  environmentMs: number;
}

/** The whole run's end (epoch ms; Infinity: none), the outermost deadline of every part. */
export function runDeadline(runEnd = Infinity): NamedDeadline {
  return { at: runEnd, name: "the drift run's time" };
}

/**
 * The sooner of `outer` and `ms` from now, named for whichever it is: a part of the drift run (an environment's
 * check, its sweep) has time of its own, and an error names the time that actually ran out.
 */
export function within(outer: NamedDeadline, ms: number, name: string): NamedDeadline {
  const own = Date.now() + ms;
  return own < outer.at ? { at: own, name } : outer;
}
