import type { EventBridgeEvent } from 'aws-lambda';
import { checkDrift } from '../github/drift-issue.ts';
import type { Octokit } from '../github/octokit.ts';
import { sweepLocks } from '../github/sweep-locks.ts';
import { failureLine } from '../queue/delivery-log.ts';
import { logEvent } from '../redact/redacting-log.ts';
import { appInstance } from './app-instance.ts';
import { withRedactedErrors } from './redacted-errors.ts';

/**
 * Scheduled (rate set in serverless.yml params): for every installation and repository, plans the
 * default branch against the clusters, keeps one fsm-drift issue per repository up to date, releases the
 * claims of closed pull requests and lifts rollback pins where the branch matches the cluster again.
 */
export const handler = withRedactedErrors(checkAll);

async function checkAll(_event: EventBridgeEvent<'Scheduled Event', unknown>): Promise<{ checked: number; failed: number }> {
  const { probot, live, deps } = await appInstance();
  const app = (await probot.auth()) as Octokit;
  const identity = await deps.identity();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let checked = 0;
  let failed = 0;
  for (const installation of installations) {
    const octokit = (await probot.auth(installation.id)) as Octokit;
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const repository of repositories) {
      const ref = { owner: repository.owner.login, repo: repository.name };
      try {
        const drift = await checkDrift(octokit, ref, live, identity);
        const swept = drift.config ? await sweepLocks(octokit, ref, repository.full_name, live, { ...drift, config: drift.config }) : [];
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
