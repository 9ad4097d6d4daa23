import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Probot } from 'probot';
import type { AppSettings } from '../../src/github/app-context.ts';
import { fromWebhook } from '../../src/events/from-webhook.ts';
import { appDependencies, fsmGitopsApp } from '../../src/github/app.ts';
import { AppOctokit } from '../../src/github/app-octokit.ts';
import { handleEvent, type Attempt } from '../../src/github/handle-event.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { ClusterConnector } from '../../src/kube/credentials/cluster-credentials.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import type { LiveStateReader } from '../../src/live/live-state.ts';
import { LiveSources } from '../../src/workflow/live-sources.ts';
import { PRIVATE_KEY } from '../support/fake-github.ts';
import { INSTALLATION_ID } from '../support/github-world.ts';

/** The example repository's files, as a repository at a pull request's head would hold them. */
export function exampleRepoFiles(): Record<string, string> {
  const root = 'examples/gitops';
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(root, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return files;
}

/** Live sources from the example snapshots; `dryRunSpy` makes the staging reader look like an API server. */
export function exampleLiveSources(dryRunSpy?: LiveStateReader['dryRun']): LiveSources {
  const sources = new LiveSources(
    new ClusterConnector({
      staging: { snapshotFile: 'examples/cluster/staging.yaml' },
      'prod-eu-1': { snapshotFile: 'examples/cluster/production.yaml' },
    }),
  );
  if (!dryRunSpy) return sources;
  return Object.assign(Object.create(sources) as LiveSources, {
    async reader(cluster: string) {
      const reader = await sources.reader(cluster);
      return { read: reader.read.bind(reader), dryRun: dryRunSpy };
    },
  });
}

/** The example snapshots for reviews; `server`, an API server that cannot be reached, for anything that would change a cluster. */
export function unreachableClusters(server: string): LiveSources {
  const sources = exampleLiveSources();
  return Object.assign(Object.create(sources) as LiveSources, {
    client: async (): Promise<KubeClient> => {
      throw new KubeUnreachableError(server, 'ECONNREFUSED');
    },
  });
}

/**
 * A probot app as production runs it (AppOctokit, with octokit's retry plugin), authenticated against the fake
 * GitHub. The throttling plugin's pacing (a second between writes) is off: it would only slow the tests.
 */
export function testProbot(live: LiveSources, settings?: AppSettings): Probot {
  const probot = new Probot({
    appId: 1,
    privateKey: PRIVATE_KEY,
    Octokit: AppOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { retryAfterBaseValue: 1 },
      throttle: { ...(options['throttle'] as object), enabled: false },
    })),
    logLevel: 'warn',
  });
  probot.load(fsmGitopsApp({ live, ...(settings ? { settings } : {}) }));
  return probot;
}

/** Delivers a webhook payload to the app as GitHub would (probot.receive), with a fresh delivery id unless given. */
export async function deliver(probot: Probot, name: 'pull_request' | 'pull_request_review' | 'issue_comment' | 'check_run', payload: Record<string, unknown>, id = `delivery-${Math.random()}`): Promise<void> {
  await probot.receive({ id, name, payload } as never);
}

/**
 * Hands a payload to handleEvent as the queue does, one try with `attempt`'s deadline and finality (probot's own
 * path, `deliver`, always makes its one try the last), with the installation's client; returns the log outcome.
 */
export async function handleTry(probot: Probot, live: LiveSources, name: 'pull_request' | 'issue_comment', payload: Record<string, unknown>, attempt: Attempt = {}, id = `delivery-${Math.random()}`): Promise<string> {
  const event = fromWebhook(name, id, payload).event!;
  return handleEvent(event, (await probot.auth(INSTALLATION_ID)) as Octokit, appDependencies(probot, { live }), probot.log, attempt);
}

/** The example repository with a config of the test's choosing. */
export function exampleRepoWithConfig(config: string): Record<string, string> {
  return { ...exampleRepoFiles(), '.github/fsm-gitops.yml': config };
}
