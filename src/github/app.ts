import type { ApplicationFunction, Probot } from 'probot';
import { fromWebhook } from '../events/from-webhook.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import { DEFAULT_SETTINGS, type AppDependencies, type AppSettings } from './app-context.ts';
import { appIdentitySource, type AppIdentitySource } from './app-identity.ts';
import { handleEvent } from './handle-event.ts';
import type { Octokit } from './octokit.ts';

/** The GitHub App as a probot application: every delivery probot receives is cut to an AppEvent and handled. */
export function fsmGitopsApp(options: { live: LiveSources; settings?: AppSettings; identity?: AppIdentitySource }): ApplicationFunction {
  return (app: Probot) => {
    const deps = appDependencies(app, options);
    app.on(['pull_request', 'pull_request_review', 'issue_comment', 'check_run'], async (context) => {
      const extracted = fromWebhook(context.name, context.id, context.payload);
      if (!extracted.event) return;
      const outcome = await handleEvent(extracted.event, context.octokit as Octokit, deps, context.log);
      context.log.info({ event: `${extracted.event.type}.${extracted.event.action}`, outcome }, 'event handled');
    });
  };
}

/** The app's dependencies; its identity comes from GET /app with the app's own credentials, once. */
export function appDependencies(app: Probot, options: { live: LiveSources; settings?: AppSettings; identity?: AppIdentitySource }): AppDependencies {
  return {
    live: options.live,
    settings: options.settings ?? DEFAULT_SETTINGS,
    identity: options.identity ?? appIdentitySource(async () => (await app.auth()) as Octokit),
  };
}
