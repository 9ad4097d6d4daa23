import { policyDigest } from '../config/policy.ts';
import { type EnvironmentConfig } from '../config/repo-config.ts';
import { REPO_CONFIG_PATHS } from '../config/repo-config-files.ts';
import { isUnder } from '../desired/repo-files.ts';
import type { ApprovalStatus, ReviewerStanding } from '../deploy/approvals.ts';
import { describeApprovals } from '../deploy/approvals.ts';
import type { Claim } from '../deploy/claims.ts';
import type { Pin } from '../deploy/pins.ts';
import { checkRunName, type OurCheckRun } from '../github/check-runs.ts';
import type { PullRequestState } from '../github/pull-request-state.ts';
import { pullRequestText } from '../render/pull-request-ref.ts';

/** Everything `/fsm apply` checks for one environment before it takes the Lease. */
export interface ApplyFacts {
  environment: EnvironmentConfig;
  pr: PullRequestState;
  /** What the commenter may do: to apply, write or more, and in the environment's teams. */
  commenterStanding: ReviewerStanding;
  commenter: string;
  approvals: ApprovalStatus;
  /** This app's latest check run for the environment on the head commit. */
  checkRun: OurCheckRun | undefined;
  /** Files the default branch changed since the pull request branched off (and whether the list is whole). */
  baseChanges: { files: string[]; complete: boolean };
  /** Another open pull request's claim on the environment: of this repository, or of another sharing its cluster. */
  heldBy: Claim | undefined;
  /** This repository, `owner/name`: a claim of another's pull request is named `owner/name#12`. */
  repository: string;
  /** The rollback pin on the environment, if any. */
  pin: Pin | undefined;
}

/** Why an environment may not be applied, and the command or step that unblocks it. */
export interface Unmet {
  problem: string;
  unblock: string;
}

/**
 * The requirements of `/fsm apply` (docs/github-app.md, "Applying before merge"), each with what unblocks
 * it: the environment deploys on command; the commenter may apply; approvals are met on the head commit;
 * this app planned the head commit without errors under the current policy; GitHub can merge the pull
 * request; the branch has the default branch's current version of the environment's files; no rollback
 * pin pauses it and no other open pull request holds it. Pure: the facts are gathered beforehand.
 */
export function unmetRequirements(facts: ApplyFacts): Unmet[] {
  const { environment, pr } = facts;
  const name = environment.name;
  const sha = pr.headSha.slice(0, 7);
  if (environment.deploy === 'on-merge') return [{ problem: `${name} deploys on merge, not on command`, unblock: 'merge the pull request once it is approved' }];
  if (environment.deploy === 'manual') return [{ problem: `${name} deploys only from the CLI`, unblock: `fsm-gitops apply --env ${name}` }];
  const unmet: Unmet[] = [];
  const who = facts.commenter;
  const teams = environment.teams.join(' or ');
  if (!facts.commenterStanding.canWrite) {
    unmet.push({ problem: `${who} may not apply ${name}: ${who} has no write permission on the repository (applying needs write${teams ? ` and membership of ${teams}` : ''})`, unblock: 'ask someone who may to comment the command' });
  } else if (!facts.commenterStanding.inTeams) {
    unmet.push({ problem: `${who} may not apply ${name}: ${who} is in none of its teams (${teams})`, unblock: 'ask someone who may to comment the command' });
  }
  const approvals = facts.approvals;
  if (!approvals.met) {
    const missing = Math.max(0, approvals.required - approvals.approvers.length);
    const needs = approvals.changesRequestedBy.length > 0 ? `${approvals.changesRequestedBy.join(', ')} to approve (they requested changes)` : `${missing} more approving review(s) of ${sha}`;
    const reviewer = `someone with write access${environment.teams.length > 0 ? ` in ${environment.teams.join(' or ')}` : ''} who wrote none of its commits`;
    unmet.push({ problem: describeApprovals(approvals), unblock: `get ${needs} from ${reviewer}` });
  }
  unmet.push(...planRequirement(facts));
  if (pr.mergeable === null) unmet.push({ problem: `GitHub has not yet worked out whether #${pr.number} can merge`, unblock: `try again in a minute: /fsm apply ${name}` });
  else if (!pr.mergeable) unmet.push({ problem: `#${pr.number} has merge conflicts`, unblock: 'update your branch first (merge or rebase the default branch)' });
  const stale = facts.baseChanges.files.filter((f) => isUnder(f, environment.path) || (REPO_CONFIG_PATHS as readonly string[]).includes(f));
  if (stale.length > 0) unmet.push({ problem: `the default branch changed ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''} since this branch`, unblock: 'update your branch first (merge or rebase the default branch)' });
  else if (!facts.baseChanges.complete) unmet.push({ problem: 'the default branch changed too many files since this branch to tell', unblock: 'update your branch first (merge or rebase the default branch)' });
  if (facts.pin) {
    unmet.push({ problem: `${name} is paused since a rollback to ${facts.pin.sha.slice(0, 7)} by ${facts.pin.actor}`, unblock: `/fsm unlock ${name} (by someone who may), then /fsm apply ${name}` });
  }
  if (facts.heldBy) {
    const holder = pullRequestText(facts.heldBy.pr, facts.heldBy.repository, facts.repository);
    unmet.push({ problem: `${name} is locked by ${holder} (applied ${String(facts.heldBy.headSha).slice(0, 7)} by ${facts.heldBy.actor})`, unblock: `merge or close ${holder}, or /fsm unlock ${name}` });
  }
  return unmet;
}

function planRequirement(facts: ApplyFacts): Unmet[] {
  const { environment, checkRun } = facts;
  const name = environment.name;
  const sha = facts.pr.headSha.slice(0, 7);
  const check = checkRunName(name);
  if (!checkRun || !checkRun.record?.plan) return [{ problem: `${sha} has no plan of ${name}`, unblock: `/fsm plan ${name}` }];
  if (checkRun.status !== 'completed') return [{ problem: `the plan of ${name} for ${sha} is still running`, unblock: `wait for the check ${check}, then /fsm apply ${name}` }];
  if (checkRun.conclusion !== 'success') return [{ problem: `the plan of ${name} for ${sha} failed (check ${check})`, unblock: 'fix what the check run says and push' }];
  if (checkRun.record.policy !== policyDigest(environment)) return [{ problem: `the policy of ${name} changed on the default branch since ${sha} was planned`, unblock: `/fsm plan ${name}` }];
  return [];
}

/** The refusal for one environment, as plain text for a code block. */
export function describeUnmet(environment: string, unmet: readonly Unmet[]): string {
  return [`${environment}: not applied`, ...unmet.map((u) => `  - ${u.problem}\n    to unblock: ${u.unblock}`)].join('\n');
}
