import type { Octokit } from './octokit.ts';

/** Who this GitHub App is: its id (check runs carry it) and its bot user (comments carry it). */
export interface AppIdentity {
  id: number;
  slug: string;
  /** `<slug>[bot]`: the login of the app's comments, reviews and reactions. */
  botLogin: string;
}

export type AppIdentitySource = () => Promise<AppIdentity>;

/**
 * The app's identity from GET /app (app-authenticated, https://docs.github.com/rest/apps/apps#get-the-authenticated-app),
 * asked once per process. Nothing the app trusts as its own (its plan comment, its check runs and the plan
 * digests they hold) is taken from anyone else: a workflow of the pull request can post a comment or a
 * check run of the same name, but not as this app.
 */
export function appIdentitySource(appOctokit: () => Promise<Octokit>): AppIdentitySource {
  let identity: Promise<AppIdentity> | undefined;
  return () => {
    identity ??= (async () => {
      const octokit = await appOctokit();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error('GET /app answered without the app slug');
      return { id: data.id, slug: data.slug, botLogin: `${data.slug}[bot]` };
    })().catch((error: unknown) => {
      identity = undefined;
      throw error;
    });
    return identity;
  };
}
