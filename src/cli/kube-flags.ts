import { KubeClient } from '../kube/kube-client.ts';
import { UsageError } from '../workflow/plan-repository.ts';

/** The client for --kubeconfig and --context; a kubeconfig that cannot be used is the user's to fix (exit 3). */
export function clientFromFlags(kubeconfig: string, context: string | undefined): KubeClient {
  try {
    return KubeClient.fromFile(kubeconfig, context);
  } catch (error) {
    throw new UsageError(`cannot use kubeconfig ${kubeconfig}: ${(error as Error).message}`);
  }
}
