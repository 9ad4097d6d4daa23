import type { EnvironmentConfig, RepoConfig } from '../config/repo-config.ts';
import { policyDigest } from '../config/policy.ts';
import { describeApprovals } from '../deploy/approvals.ts';
import { Claims, type Claim } from '../deploy/claims.ts';
import { Pins, type Pin } from '../deploy/pins.ts';
import { clip } from '../render/github-limits.ts';
import { escapeMarkdown } from '../render/markdown.ts';
import { MESSAGE_SHOWN } from '../render/summary.ts';
import type { StatusContext } from './app-context.ts';
import { StalePlans } from './plan-staleness.ts';
import { environmentsTag } from './sticky-comment.ts';
import { pullRequestRef } from '../render/pull-request-ref.ts';
import { pullRequestApprovals, type PullRequestApprovals } from './pull-request-approvals.ts';
import { PeopleDirectory, TeamsUnreadableError } from './reviewer-standing.ts';

export interface StatusTarget {
  number: number;
  headSha: string;
  author: string;
  fromFork: boolean;
  /** Closed (a block refreshed after the merge or close, by a command or a claim's change): it deploys nothing more. */
  state?: 'open' | 'closed';
  merged?: boolean;
}

export interface StatusEnvironment {
  name: string;
  policy: EnvironmentConfig;
  isNew: boolean;
  /** The pull request changes no file in its folder (planned for a policy change, or on `/fsm plan env`): merging deploys nothing there. */
  filesUnchanged: boolean;
  /** The pull request changes or removes its policy: its merge deploys nothing under the policy it was planned with (merge-deploy.ts). */
  policyChanged: boolean;
}

/**
 * Environments by name, with the default branch's policy, or the pull request's for one it adds;
 * `filesUnchanged` names those whose folder the pull request leaves as it is.
 */
export function statusEnvironments(names: readonly string[], base: RepoConfig | undefined, head: RepoConfig | undefined, filesUnchanged: readonly string[] = []): StatusEnvironment[] {
  return names.flatMap((name): StatusEnvironment[] => {
    const unchanged = filesUnchanged.includes(name);
    const policy = base?.environments.find((e) => e.name === name);
    const added = head?.environments.find((e) => e.name === name);
    if (policy) return [{ name, policy, isNew: false, filesUnchanged: unchanged, policyChanged: head !== undefined && (!added || policyDigest(added) !== policyDigest(policy)) }];
    return added ? [{ name, policy: added, isNew: true, filesUnchanged: unchanged, policyChanged: false }] : [];
  });
}

/** An environment's locks as the cluster holds them, or why they could not be read. */
export interface EnvironmentLocks {
  claim: Claim | undefined;
  pin: Pin | undefined;
  unreadable?: string;
  /** The cluster is a snapshot file in the app's settings: planned against, never deployed to. */
  snapshot?: boolean;
}

/** Reads an environment's claim and pin from its cluster; a cluster that cannot be reached is said, not thrown. */
export async function readLocks(ctx: Pick<StatusContext, 'deps'>, environment: EnvironmentConfig): Promise<EnvironmentLocks> {
  if (ctx.deps.live.isSnapshot(environment.cluster)) return { claim: undefined, pin: undefined, snapshot: true };
  try {
    const client = await ctx.deps.live.client(environment.cluster);
    const namespace = environment.mesh.namespace;
    const [claim, pin] = await Promise.all([new Claims(client, namespace).read(environment.name), new Pins(client, namespace).read(environment.name)]);
    return { claim, pin };
  } catch (error) {
    return { claim: undefined, pin: undefined, unreadable: clip((error as Error).message.split('\n')[0] ?? 'unknown error', MESSAGE_SHOWN) };
  }
}

/**
 * The sticky comment's status block: per environment how it deploys, its approvals on the head commit,
 * who holds it (claim), whether merge deploys are paused (pin), and whether the cluster was applied since the
 * plan shown (plan-staleness.ts). Recomputed on every review, push and pull request review, and after an apply.
 * `plannedAt`: the environments the caller planned just now (a review), with when each plan started reading the cluster.
 */
export async function deployStatusBlock(ctx: StatusContext, pr: StatusTarget, environments: readonly StatusEnvironment[], plannedAt?: ReadonlyMap<string, Date>): Promise<string> {
  const approvals = await pullRequestApprovals(ctx.octokit, ctx.ref, pr, new PeopleDirectory(ctx.octokit, ctx.ref));
  const lines: string[] = [];
  // Closed, the default branch's policy may be the one it brought: its approvals are not counted against it.
  const closed = pr.state === 'closed' ? (pr.merged ? MERGED : CLOSED_UNMERGED) : undefined;
  const owner = { repository: ctx.repository.fullName, pr: pr.number };
  const stale = new StalePlans(ctx, pr, plannedAt);
  for (const environment of environments) {
    const name = environment.name;
    if (environment.isNew) {
      // Its cluster is the pull request's to name: never read.
      lines.push(`- **\`${name}\`**: ${closed ?? 'new in this pull request; it is planned from its files only and deploys once it is on the default branch'}`);
      continue;
    }
    const policy = environment.policy;
    const mergeRefused = policy.deploy === 'on-merge' && environment.policyChanged;
    const parts = [closed ?? (environment.filesUnchanged ? FILES_UNCHANGED : mergeRefused ? POLICY_CHANGED : deployMode(policy))];
    if (policy.deploy !== 'manual' && !closed && !environment.filesUnchanged && !mergeRefused) parts.push(await approvalText(approvals, policy));
    if (pr.fromFork && !closed && !environment.filesUnchanged) parts.push('from a fork: never deployed from here');
    // Whether its plan predates an apply matters only where the pull request deploys from.
    const deploysFromHere = !closed && !environment.filesUnchanged && !mergeRefused && !pr.fromFork;
    const [locks, staleText] = await Promise.all([readLocks(ctx, policy), deploysFromHere ? stale.notice(policy) : undefined]);
    parts.push(...lockTexts(name, locks, owner));
    if (staleText) parts.push(staleText);
    lines.push(`- **\`${name}\`**: ${parts.join(' · ')}`);
  }
  const tags = environmentsTag(
    environments.map((e) => e.name),
    environments.filter((e) => e.filesUnchanged).map((e) => e.name),
  );
  return ['**Deploy status**', '', tags, ...lines].join('\n');
}

const FILES_UNCHANGED = 'this pull request changes none of its files: it deploys nothing here';
const MERGED = 'merged: it deploys nothing more (the deploy log says what its merge did)';
const CLOSED_UNMERGED = 'closed without merging: it deploys nothing';
const POLICY_CHANGED = "deploys on merge, but not this pull request's merge: it changes the environment's policy in `.github/fsm-gitops.yml`, which its plan did not run under";

export function deployMode(policy: EnvironmentConfig): string {
  if (policy.deploy === 'on-merge') return 'deploys on merge';
  if (policy.deploy === 'on-command') return `deploys on \`/fsm apply ${policy.name}\``;
  return 'deploys from the CLI only (`fsm-gitops apply`)';
}

/** The approvals line; one that cannot be counted (GitHub refuses the team lookups) says why, and the plan above it stands. */
async function approvalText(approvals: PullRequestApprovals, policy: EnvironmentConfig): Promise<string> {
  try {
    const status = await approvals.forEnvironment(policy);
    return `${status.met ? '✅' : '⏳'} ${escapeMarkdown(describeApprovals(status))}`;
  } catch (error) {
    if (!(error instanceof TeamsUnreadableError)) throw error;
    return `⚠️ approvals unknown: ${escapeMarkdown(error.message)}`;
  }
}

/**
 * Claim and pin, as the status block and `/fsm status` show them. `own`: the repository they are shown in (a
 * claim of another's pull request is named with it), and the pull request whose status block it is.
 */
export function lockTexts(environment: string, locks: EnvironmentLocks, own?: { repository: string; pr?: number }): string[] {
  if (locks.snapshot) return ['a snapshot cluster: planned, never deployed to'];
  if (locks.unreadable) return [`locks unknown (${escapeMarkdown(locks.unreadable)})`];
  const texts: string[] = [];
  const { claim, pin } = locks;
  if (claim) {
    const mine = own?.pr !== undefined && claim.repository === own.repository && claim.pr === own.pr;
    const by = pullRequestRef(claim.pr, claim.repository, own?.repository ?? claim.repository);
    texts.push(mine ? `🔒 held by this pull request (since its apply of ${escapeMarkdown(String(claim.headSha).slice(0, 7))})` : `🔒 locked by ${by}, \`/fsm unlock ${environment}\` to release`);
  }
  if (pin) texts.push(`📌 deploys paused since a rollback to ${escapeMarkdown(String(pin.sha).slice(0, 7))} (on merge and by /fsm apply), \`/fsm unlock ${environment}\` to resume`);
  return texts;
}
