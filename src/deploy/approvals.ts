/** A pull request review as GitHub lists it (GET /repos/{owner}/{repo}/pulls/{n}/reviews), oldest first. */
export interface Review {
  id: number;
  login: string;
  /** `User` or `Bot`. */
  userType: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING. */
  state: string;
  /** The commit the review was made on. */
  commitId: string | null;
}

/** What a reviewer may do, from collaborators/{user}/permission and team membership. */
export interface ReviewerStanding {
  /** Permission write, maintain or admin on the repository (GitHub's `permission`/`role_name`, not `author_association`). */
  canWrite: boolean;
  /** In one of the environment's `teams` (true when it names none). */
  inTeams: boolean;
}

export interface ApprovalRequest {
  required: number;
  headSha: string;
  author: string;
  /** Who wrote or committed the pull request's commits: like the author, they cannot approve their own change. */
  contributors?: readonly string[];
  reviews: readonly Review[];
  /** Looks a reviewer up; asked only for reviewers whose latest review could count. */
  standing(login: string): Promise<ReviewerStanding>;
}

export interface ApprovalStatus {
  required: number;
  headSha: string;
  /** Qualified reviewers whose latest review approves the head commit. */
  approvers: string[];
  /** Qualified reviewers whose latest review requests changes: the pull request may not be applied. */
  changesRequestedBy: string[];
  /** Qualified reviewers whose approval is for an older commit: a push invalidates approvals. */
  staleApprovers: string[];
  /** The author or a writer of the pull request's commits approving it: never counted, named so people know why. */
  ownApprovers: string[];
  /** Reviewers approving without write permission: not counted, named so people know why. */
  approversWithoutWrite: string[];
  /** Writers approving who are in none of the environment's `teams`: not counted, named so people know why. */
  approversOutsideTeams: string[];
  met: boolean;
}

const DECIDING_STATES = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/**
 * Counts approvals the way fsm-gitops's docs state (docs/github-app.md, "Approvals"): per reviewer, the
 * latest review that is not a comment; it counts when it is APPROVED on the pull request's current head
 * commit, by someone other than the author or anyone who wrote or committed its commits, with write
 * permission or more and (when the environment names teams) in one of them. A latest CHANGES_REQUESTED from such a reviewer blocks. A dismissed review counts
 * for nothing. Bots never count.
 */
export async function evaluateApprovals(request: ApprovalRequest): Promise<ApprovalStatus> {
  const latest = new Map<string, Review>();
  for (const review of [...request.reviews].sort((a, b) => a.id - b.id)) {
    if (DECIDING_STATES.has(review.state)) latest.set(review.login, review);
  }
  const status: ApprovalStatus = { required: request.required, headSha: request.headSha, approvers: [], changesRequestedBy: [], staleApprovers: [], ownApprovers: [], approversWithoutWrite: [], approversOutsideTeams: [], met: false };
  const own = new Set([request.author, ...(request.contributors ?? [])]);
  for (const [login, review] of latest) {
    if (review.userType === 'Bot' || review.state === 'DISMISSED') continue;
    if (own.has(login)) {
      if (review.state === 'APPROVED') status.ownApprovers.push(login);
      continue;
    }
    const standing = await request.standing(login);
    if (!standing.canWrite || !standing.inTeams) {
      if (review.state === 'APPROVED') (standing.canWrite ? status.approversOutsideTeams : status.approversWithoutWrite).push(login);
      continue;
    }
    if (review.state === 'CHANGES_REQUESTED') status.changesRequestedBy.push(login);
    else if (review.commitId === request.headSha) status.approvers.push(login);
    else status.staleApprovers.push(login);
  }
  status.approvers.sort();
  status.changesRequestedBy.sort();
  status.staleApprovers.sort();
  status.ownApprovers.sort();
  status.approversWithoutWrite.sort();
  status.approversOutsideTeams.sort();
  status.met = status.changesRequestedBy.length === 0 && status.approvers.length >= request.required;
  return status;
}

/** `approvals 1/2 on abc1234 (alice)`, plus who requested changes, and each approval that does not count and why. */
export function describeApprovals(status: ApprovalStatus): string {
  const parts = [`approvals ${status.approvers.length}/${status.required} on ${status.headSha.slice(0, 7)}${status.approvers.length > 0 ? ` (${status.approvers.join(', ')})` : ''}`];
  if (status.changesRequestedBy.length > 0) parts.push(`changes requested by ${status.changesRequestedBy.join(', ')}`);
  if (status.staleApprovers.length > 0) parts.push(`approved an older commit: ${status.staleApprovers.join(', ')}`);
  if (status.ownApprovers.length > 0) parts.push(`approved their own change (wrote the pull request or one of its commits), not counted: ${status.ownApprovers.join(', ')}`);
  if (status.approversWithoutWrite.length > 0) parts.push(`approved without write permission on the repository, not counted: ${status.approversWithoutWrite.join(', ')}`);
  if (status.approversOutsideTeams.length > 0) parts.push(`approved but in none of the environment's teams, not counted: ${status.approversOutsideTeams.join(', ')}`);
  return parts.join('; ');
}
