import { ClusterCredentialsError } from '../kube/credentials/cluster-credentials.ts';
import { MissingPermissionError } from './missing-permission.ts';
import { TeamsUnreadableError } from './reviewer-standing.ts';

/**
 * Whether another try of a delivery would meet `error` again, whatever the delivery: no way to change
 * that cluster (ClusterCredentialsError), teams GitHub will not list (TeamsUnreadableError, a missing
 * `members: read`), or another permission the installation lacks (MissingPermissionError). Such an error is
 * answered at once instead of being retried. Callers add their own: a command's refusal, or a busy lock, which
 * a command reports but a merge deploy waits out.
 */
export function retryCannotHelp(error: unknown): error is ClusterCredentialsError | TeamsUnreadableError | MissingPermissionError {
  return error instanceof ClusterCredentialsError || error instanceof TeamsUnreadableError || error instanceof MissingPermissionError;
}
