import { createRequire } from 'node:module';
import { INSTALLATION_ID, OWNER, REPO } from './fake-github.ts';

interface Example {
  name: string;
  examples: Record<string, unknown>[];
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Example[];

/** A real webhook payload from @octokit/webhooks-examples, with only the repository (and installation) renamed. */
function example(event: string, action: string): Record<string, any> {
  const found = examples.find((e) => e.name === event)?.examples.find((e) => e['action'] === action && e['installation']);
  if (!found) throw new Error(`no ${event}.${action} example with an installation`);
  const payload = structuredClone(found) as Record<string, any>;
  const rename = (repository: Record<string, any> | undefined, owner = OWNER): void => {
    if (!repository) return;
    repository['name'] = REPO;
    repository['full_name'] = `${owner}/${REPO}`;
    if (repository['owner']) repository['owner'].login = owner;
  };
  rename(payload['repository']);
  payload['installation'] = { ...payload['installation'], id: INSTALLATION_ID };
  return payload;
}

export function pullRequestPayload(action: 'opened' | 'synchronize' | 'reopened', options: { number: number; headSha: string; fork?: boolean }): Record<string, any> {
  const payload = example('pull_request', action);
  const pr = payload['pull_request'];
  payload['number'] = options.number;
  pr.number = options.number;
  pr.head.sha = options.headSha;
  pr.head.repo.name = REPO;
  pr.head.repo.full_name = `${options.fork ? 'someone-else' : OWNER}/${REPO}`;
  pr.base.repo.name = REPO;
  pr.base.repo.full_name = `${OWNER}/${REPO}`;
  return payload;
}

export function checkRunRerequestedPayload(options: { headSha: string; number: number; name: string }): Record<string, any> {
  const payload = example('check_run', 'rerequested');
  payload['check_run'].head_sha = options.headSha;
  payload['check_run'].name = options.name;
  payload['check_run'].pull_requests = [{ number: options.number, head: { sha: options.headSha }, base: {} }];
  return payload;
}
