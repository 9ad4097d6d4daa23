import type { ApplicationFunction, Probot } from 'probot';
import { fromWebhook } from '../events/from-webhook.ts';
import { failureText, logDelivery } from '../queue/delivery-log.ts';
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
      const started = Date.now();
      const extracted = fromWebhook(context.name, context.id, context.payload);
      if (!extracted.event) return;
      const names = { id: context.id, event: `${extracted.event.type}.${extracted.event.action}`, repository: extracted.event.repository.fullName };
      try {
        const outcome = await handleEvent(extracted.event, context.octokit as Octokit, deps, context.log);
        logDelivery({ level: 'info', ...names, outcome, ms: Date.now() - started });
      } catch (error) {
        logDelivery({ level: 'error', ...names, outcome: `failed: ${failureText(error)}`, ms: Date.now() - started });
        throw new DeliveryFailedError(failureText(error));
      }
    });
  };
}

/**
 * What a failed delivery rethrows to probot (which answers 500): the message alone. @octokit/webhooks
 * attaches the delivery (`event`, with the whole payload) to a handler's error and probot logs that
 * error with everything on it; this one takes no `event` and has no request, response or stack.
 */
export class DeliveryFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryFailedError';
    this.stack = `${this.name}: ${message}`;
    Object.defineProperty(this, 'event', { get: () => undefined, set: () => {}, enumerable: false });
  }
}

/** The app's dependencies; its identity comes from GET /app with the app's own credentials, once. */
export function appDependencies(app: Probot, options: { live: LiveSources; settings?: AppSettings; identity?: AppIdentitySource }): AppDependencies {
  return {
    live: options.live,
    settings: options.settings ?? DEFAULT_SETTINGS,
    identity: options.identity ?? appIdentitySource(async () => (await app.auth()) as Octokit),
  };
}
