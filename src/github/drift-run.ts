import type { Probot } from 'probot';
import { failureLine } from '../queue/delivery-log.ts';
import { logEvent, writeLogLine } from '../redact/redacting-log.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import type { Logger } from './app-context.ts';
import type { AppIdentity } from './app-identity.ts';
import { checkDrift } from './drift-issue.ts';
import { DRIFT_BUDGETS, runDeadline, within } from './drift-time.ts';
import { guardedClient } from './handle-event.ts';
import type { Octokit } from './octokit.ts';
import { refreshOthers } from './refresh-status.ts';
import { sweepLocks } from './sweep-locks.ts';

/**
 * One drift run, on Lambda's schedule or the Node server's timer: for every installation and repository,
 * plans the default branch against the clusters, keeps one fsm-drift issue per repository up to date,
 * releases the claims of closed pull requests and lifts rollback pins where the branch matches the cluster
 * again, then refreshes the status blocks of the open pull requests that showed them (refreshOthers). Each
 * repository's check stops at its deadline (`budgets`, DRIFT_BUDGETS by default: 120 s, each environment at most
 * 60 s of it), then the sweep and the refresh have 60 s of their own (each environment's sweep at most 15 s), never
 * past `runEnd` (epoch ms): a cluster that never answers costs its own time, not the other environments' check or
 * housekeeping. A repository that fails is logged and counted in `failed`, and the run goes on with the next; the
 * repositories the run's end leaves are not checked (one `drift run out of time` line counts them). One `drift
 * checked` or `drift check failed` log line per repository checked.
 */
export async function checkEveryRepository(probot: Probot, live: LiveSources, identity: AppIdentity, runEnd = Infinity, budgets = DRIFT_BUDGETS): Promise<{ checked: number; failed: number }> {
  const app = guardedClient((await probot.auth()) as Octokit);
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  let checked = 0;
  let failed = 0;
  const run = runDeadline(runEnd);
  const notReached: string[] = [];
  for (const installation of installations) {
    const octokit = guardedClient((await probot.auth(installation.id)) as Octokit);
    const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    for (const repository of repositories) {
      const ref = { owner: repository.owner.login, repo: repository.name };
      // The run's time is up: the rest waits for the next run, not checked with no time (each environment said unchecked).
      if (Date.now() >= runEnd) {
        notReached.push(repository.full_name);
        continue;
      }
      try {
        const deadline = within(run, budgets.repositoryMs, `the drift check's time for this repository (${budgets.repositoryMs / 1000} s)`);
        const drift = await checkDrift(octokit, ref, live, identity, { deadline, environmentMs: budgets.environmentMs });
        // Time of their own after the check, and none for the clusters that gave no answer in it: a silent cluster costs its own time, not the others' housekeeping.
        const housekeeping = within(run, budgets.housekeepingMs, `the drift run's time for claims, pins and pull requests' status (${budgets.housekeepingMs / 1000} s)`);
        const answering = live.without(new Set(drift.unanswered), (cluster) => `cluster "${cluster}" gave no answer to this drift run's check: not read again until the next run`);
        const swept = drift.config ? await sweepLocks(octokit, ref, repository.full_name, answering, { ...drift, config: drift.config }, { deadline: housekeeping, environmentMs: budgets.sweepEnvironmentMs }) : { done: [], environments: [], failed: [] };
        if (swept.failed.length > 0) logEvent('warn', 'locks not swept', { repository: repository.full_name, failed: swept.failed });
        const bounded = answering.withDeadline(housekeeping.at, housekeeping.name);
        const status = { octokit, ref, repository: { fullName: repository.full_name, defaultBranch: repository.default_branch }, identity, deps: { live: bounded }, deadline: housekeeping.at, log: driftLog(repository.full_name) };
        const refreshed = await refreshOthers(status, undefined, swept.environments);
        logEvent(drift.unchecked.length > 0 ? 'warn' : 'info', 'drift checked', { repository: repository.full_name, outcome: drift.outcome, swept: swept.done, ...(refreshed > 0 ? { refreshed } : {}), ...(drift.unchecked.length > 0 ? { unchecked: drift.unchecked.map((u) => `${u.environment}: ${u.error}`) } : {}) });
        checked++;
      } catch (error) {
        failed++;
        logEvent('error', 'drift check failed', { repository: repository.full_name, error: failureLine(error) });
      }
    }
  }
  if (notReached.length > 0) logEvent('warn', 'drift run out of time', { notChecked: notReached.length, first: notReached[0] });
  return { checked, failed };
}

/** refreshOthers's warnings as the run's own log lines (one redacted JSON line each, as logEvent writes them), naming the repository. */
function driftLog(repository: string): Logger {
  const line = (level: 'info' | 'warn') => (fields: Record<string, unknown>, msg: string) => writeLogLine(JSON.stringify({ level, msg, repository, ...fields }));
  return { info: line('info'), warn: line('warn') };
}
