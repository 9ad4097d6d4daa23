/**
 * The fields of an octokit request error (@octokit/request-error's RequestError) fsm-gitops reads, as a shape:
 * errors reach the code as `unknown`, and more than one copy of octokit may throw them.
 */
export type GitHubError = { status?: number; message?: string; response?: { data?: { message?: unknown }; headers?: Record<string, string | undefined> } };
