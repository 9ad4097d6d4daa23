import type { EnvironmentConfig } from '../config/repo-config.ts';
import { Claims } from '../deploy/claims.ts';
import { Pins } from '../deploy/pins.ts';
import type { KubeApi } from '../kube/kube-client.ts';
import { clip } from '../render/github-limits.ts';

/** Longest a field of a claim or pin is shown: they come from a ConfigMap anyone with access to the cluster may edit. */
const FIELD_SHOWN = 100;

/**
 * What the GitHub App holds on an environment that a CLI apply goes past (the CLI is the way around them, so it
 * is never refused by them): a pull request's claim (it applied before merging: this apply replaces what it
 * applied, and it keeps its claim) and a rollback's pin (deploys from GitHub stay paused). One warning each,
 * plain text of one line (docs/github-app.md, "Claims" and "Rollback and pins"). Best effort, never throws: a
 * claim or pin that cannot be read, or is not one (a ConfigMap edited by hand), is not said; the apply does not
 * depend on them.
 */
export async function githubLocksPassed(client: KubeApi, environment: EnvironmentConfig): Promise<string[]> {
  const namespace = environment.mesh.namespace;
  const name = environment.name;
  const [claim, pin] = await Promise.all([new Claims(client, namespace).read(name).catch(() => undefined), new Pins(client, namespace).read(name).catch(() => undefined)]);
  const warnings: string[] = [];
  const pr = claim && field(claim.repository) && Number.isSafeInteger(claim.pr) ? `${field(claim.repository)}#${claim.pr}` : undefined;
  if (claim && pr) {
    warnings.push(`${name} is held by pull request ${pr}, which applied ${commit(claim.headSha)} (by ${field(claim.actor) ?? 'someone'}) before merging: this apply replaces what it applied, and ${pr} keeps its claim (/fsm unlock ${name} releases it)`);
  }
  if (pin) {
    warnings.push(`${name} is paused since a rollback to ${commit(pin.sha)} (by ${field(pin.actor) ?? 'someone'}): this apply goes ahead; deploys from GitHub stay paused until /fsm unlock ${name}, or until the default branch matches the cluster again`);
  }
  return warnings;
}

/** A string field as one line of at most FIELD_SHOWN characters; undefined for anything else. */
function field(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return clip(value.replace(/\s+/g, ' ').trim(), FIELD_SHOWN);
}

function commit(value: unknown): string {
  return typeof value === 'string' && value !== '' ? field(value.slice(0, 7))! : 'an unknown commit';
}
