import type { EnvironmentConfig } from '../config/repo-config.ts';
import { Claims } from '../deploy/claims.ts';
import { Pins } from '../deploy/pins.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { pullRequestText } from '../render/pull-request-ref.ts';

/**
 * What the GitHub App holds on an environment that a CLI apply goes past (the CLI is the way around them, so it
 * is never refused by them): a pull request's claim (it applied before merging: this apply replaces what it
 * applied, and it keeps its claim) and a rollback's pin (deploys from GitHub stay paused). One warning each,
 * plain text (docs/github-app.md, "Claims" and "Rollback and pins"). Best effort: a claim or pin that cannot be
 * read is not said (the apply does not depend on them).
 */
export async function githubLocksPassed(client: KubeApi, environment: EnvironmentConfig): Promise<string[]> {
  const namespace = environment.mesh.namespace;
  const name = environment.name;
  const [claim, pin] = await Promise.all([new Claims(client, namespace).read(name).catch(() => undefined), new Pins(client, namespace).read(name).catch(() => undefined)]);
  const warnings: string[] = [];
  if (claim) {
    const pr = pullRequestText(claim.pr, claim.repository, undefined);
    warnings.push(`${name} is held by pull request ${pr}, which applied ${String(claim.headSha).slice(0, 7)} (by ${claim.actor}) before merging: this apply replaces what it applied, and ${pr} keeps its claim (/fsm unlock ${name} releases it)`);
  }
  if (pin) {
    warnings.push(`${name} is paused since a rollback to ${String(pin.sha).slice(0, 7)} (by ${pin.actor}): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock ${name}, or until the default branch matches the cluster again`);
  }
  return warnings;
}
