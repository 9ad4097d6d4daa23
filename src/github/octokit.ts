import type { ProbotOctokit } from 'probot';

/** The installation-authenticated client probot hands each event (REST, GraphQL, paginate, retry, throttling). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}
