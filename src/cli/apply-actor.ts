import { hostname, userInfo } from 'node:os';

/** Who runs the CLI, for the Lease's holder and the history (`alice@laptop`) when --actor does not say. */
export function defaultActor(): string {
  return `${userInfo().username}@${hostname()}`;
}
