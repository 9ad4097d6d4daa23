/**
 * Raised for a request that names something the repository does not have, or flags that do not fit together
 * (exit 3 in the CLI). A module of its own so the CLI's argument and kubeconfig code can raise it without
 * loading the planning code.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
