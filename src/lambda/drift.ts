import type { Context, EventBridgeEvent } from 'aws-lambda';
import { checkDrift } from '../github/drift-issue.ts';
import { guardedClient } from '../github/handle-event.ts';
import type { Octokit } from '../github/octokit.ts';
import { sweepLocks } from '../github/sweep-locks.ts';
import { failureLine } from '../queue/delivery-log.ts';
import { logEvent } from '../redact/redacting-log.ts';
import { appInstance } from './app-instance.ts';
import { withRedactedErrors } from './redacted-errors.ts';

/** The most one repository's check may take (ms): a cluster that stops answering costs this, not the rest of the run. */
export const REPOSITORY_BUDGET_MS = 120_000;
/** Time kept back from the Lambda's limit (ms) for the last repository's log line and the run's result. */
export const DRIFT_RESERVE_MS = 10_000;

/**
 * Scheduled (rate set in serverless.yml params): for every installation and repository, plans the
 * default branch against the clusters, keeps one fsm-drift issue per repository up to date, releases the
 * claims of closed pull requests and lifts rollback pins where the branch matches the cluster again.
 * Each repository's cluster reads stop at its deadline (REPOSITORY_BUDGET_MS, and never past the Lambda's
 * remaining time less DRIFT_RESERVE_MS); a repository that fails or runs out of time is logged and counted
 * in `failed`, and the run goes on with the next.
 */
export const handler = withRedactedErrors(checkAll);

async function checkAll(_event: EventBridgeEvent<'Scheduled Event', unknown>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ checked: number; failed: number }> {
  const runEnd = context ? Date.now() + context.getRemainingTimeInMillis() - DRIFT_RESERVE_MS : Infinity;
  const { probot, live, deps } = await appInstance();
  const app = guardedClient((await probot.auth()) as Octokit);
  const identity = await deps.identity();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let checked = 0;
  let failed = 0;
  for (const installation of installations) {
    const octokit = guardedClient((await probot.auth(installation.id)) as Octokit);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const repository of repositories) {
      const ref = { owner: repository.owner.login, repo: repository.name };
      const bounded = live.withDeadline(Math.min(Date.now() + REPOSITORY_BUDGET_MS, runEnd));
      try {
        const drift = await checkDrift(octokit, ref, bounded, identity);
        const swept = drift.config ? await sweepLocks(octokit, ref, repository.full_name, bounded, { ...drift, config: drift.config }) : [];
        logEvent('info', 'drift checked', { repository: repository.full_name, outcome: drift.outcome, swept });
        checked++;
      } catch (error) {
        failed++;
        logEvent('error', 'drift check failed', { repository: repository.full_name, error: failureLine(error) });
      }
    }
  }
  return { checked, failed };
}
