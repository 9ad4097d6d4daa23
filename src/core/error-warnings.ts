/**
 * Warnings gathered by work that then failed (a lock taken over from an interrupted apply, then an API server
 * that stops answering): they ride with the error, not in its message, so a caller that tells the error
 * (a reply, the deploy log, the delivery's log line) tells them too, and its checks of the error's class
 * (retryCannotHelp, a refusal) still hold. Kept beside the error, never on it.
 */
const gathered = new WeakMap<object, readonly string[]>();

/** Returns `error` with `warnings` added to those it carries (none added to a value that is not an object). */
export function withWarnings<T>(error: T, warnings: readonly string[]): T {
  if (warnings.length > 0 && typeof error === 'object' && error !== null) gathered.set(error, [...(gathered.get(error) ?? []), ...warnings]);
  return error;
}

/** The warnings `error` carries, oldest first; none for any other error. */
export function warningsOf(error: unknown): readonly string[] {
  return typeof error === 'object' && error !== null ? (gathered.get(error) ?? []) : [];
}
