/** A deadline (epoch ms) and what it is, for the error once it passes (`<request>: <name> is up`). */
export interface NamedDeadline {
  at: number;
  name: string;
}

/**
 * The sooner of `outer` and `ms` from now, named for whichever it is: a part of the drift run (an environment's
 * check, its sweep) has time of its own, and an error names the time that actually ran out.
 */
export function within(outer: NamedDeadline, ms: number, name: string): NamedDeadline {
  const own = Date.now() + ms;
  return own < outer.at ? { at: own, name } : outer;
}
