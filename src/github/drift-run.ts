import type { Probot } from 'probot';
import { failureLine } from '../queue/delivery-log.ts';
import { logEvent, writeLogLine } from '../redact/redacting-log.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import type { Logger } from './app-context.ts';
import type { AppIdentity } from './app-identity.ts';
import { checkDrift } from './drift-issue.ts';
import { guardedClient } from './handle-event.ts';
import type { Octokit } from './octokit.ts';
import { refreshOthers } from './refresh-status.ts';
import { sweepLocks } from './sweep-locks.ts';

/** The most one repository's check may take (ms): a cluster that stops answering costs this, not the rest of the run. */
export const REPOSITORY_BUDGET_MS = 120_000;

/**
 * One drift run, on Lambda's schedule or the Node server's timer: for every installation and repository,
 * plans the default branch against the clusters, keeps one fsm-drift issue per repository up to date,
 * releases the claims of closed pull requests and lifts rollback pins where the branch matches the cluster
 * again, then refreshes the status blocks of the open pull requests that showed them (refreshOthers). Each
 * repository's cluster reads stop at its deadline (REPOSITORY_BUDGET_MS, and never past `runEnd`, epoch ms); a
 * repository that fails or runs out of time is logged and counted in `failed`, and the run goes on with the
 * next. One `drift checked` or `drift check failed` log line per repository.
 */
export async function checkEveryRepository(probot: Probot, live: LiveSources, identity: AppIdentity, runEnd = Infinity): Promise<{ checked: number; failed: number }> {
  const app = guardedClient((await probot.auth()) as Octokit);
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let checked = 0;
  let failed = 0;
  for (const installation of installations) {
    const octokit = guardedClient((await probot.auth(installation.id)) as Octokit);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const repository of repositories) {
      const ref = { owner: repository.owner.login, repo: repository.name };
      const deadline = Math.min(Date.now() + REPOSITORY_BUDGET_MS, runEnd);
      const bounded = live.withDeadline(deadline);
      try {
        const drift = await checkDrift(octokit, ref, bounded, identity);
        const swept = drift.config ? await sweepLocks(octokit, ref, repository.full_name, bounded, { ...drift, config: drift.config }) : { done: [], environments: [], failed: [] };
        if (swept.failed.length > 0) logEvent('warn', 'locks not swept', { repository: repository.full_name, failed: swept.failed });
        const status = { octokit, ref, repository: { fullName: repository.full_name, defaultBranch: repository.default_branch }, identity, deps: { live: bounded }, deadline, log: driftLog(repository.full_name) };
        const refreshed = await refreshOthers(status, undefined, swept.environments);
        logEvent(drift.unchecked.length > 0 ? 'warn' : 'info', 'drift checked', { repository: repository.full_name, outcome: drift.outcome, swept: swept.done, ...(refreshed > 0 ? { refreshed } : {}), ...(drift.unchecked.length > 0 ? { unchecked: drift.unchecked.map((u) => `${u.environment}: ${u.error}`) } : {}) });
        checked++;
      } catch (error) {
        failed++;
        logEvent('error', 'drift check failed', { repository: repository.full_name, error: failureLine(error) });
      }
    }
  }
  return { checked, failed };
}

/** refreshOthers's warnings as the run's own log lines (one redacted JSON line each, as logEvent writes them), naming the repository. */
function driftLog(repository: string): Logger {
  const line = (level: 'info' | 'warn') => (fields: Record<string, unknown>, msg: string) => writeLogLine(JSON.stringify({ level, msg, repository, ...fields }));
  return { info: line('info'), warn: line('warn') };
}
