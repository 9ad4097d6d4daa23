import { readHistory } from '../apply/history.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { deployEnvironment } from '../deploy/deploy-environment.ts';
import { Claims } from '../deploy/claims.ts';
import { Pins } from '../deploy/pins.ts';
import { reportOutcome } from '../github/deploy-report.ts';
import { DeploymentTrail } from '../github/deployment-trail.ts';
import { GitHubRepoFiles } from '../github/github-repo-files.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { fence } from '../render/markdown-code.ts';
import { renderMarkdown } from '../render/markdown.ts';
import type { RollbackTarget } from './command.ts';
import { CommandRefusal, namedEnvironments, type CommandContext, type CommandResult } from './command-context.ts';

/**
 * `/fsm rollback <env> <deployment-id|sha>`: returns an environment to an earlier successful deploy, and
 * only to one (a Deployment of the environment that succeeded, or an applied entry of the cluster's
 * history), never to an arbitrary ref. Plans the environment's files at that commit against the cluster,
 * applies under the Lease, records a Deployment (task deploy:rollback), and pins the environment so merge
 * deploys pause until `/fsm unlock <env>`. Needs maintain or admin, or (when the environment names teams)
 * write and a team membership. Replies with the plan and the outcome.
 */
export async function rollbackCommand(cc: CommandContext, name: string, target: RollbackTarget): Promise<CommandResult> {
  const [environment] = namedEnvironments(cc, [name]) as [EnvironmentConfig];
  await requireRollbackPermission(cc, environment);
  const client = await cc.deps.live.client(environment.cluster);
  const trail = new DeploymentTrail(cc.octokit, cc.ref, cc.identity);
  const sha = await resolveTarget(client, trail, environment, target);
  const actor = cc.event.comment.user.login;
  const outcome = await deployEnvironment({
    deadline: cc.deadline,
    client,
    environment,
    files: new GitHubRepoFiles(cc.octokit, cc.ref, sha),
    sha,
    task: 'deploy:rollback',
    trigger: `comment:${cc.event.comment.id}`,
    pr: cc.event.issue.isPullRequest ? cc.event.issue.number : null,
    repository: cc.repository.fullName,
    actor,
    approvers: [],
    trail,
    ...(cc.event.comment.htmlUrl ? { logUrl: cc.event.comment.htmlUrl } : {}),
  });
  const report = await reportOutcome(cc, environment, sha, actor, outcome, 'rollback');
  if (outcome.status === 'duplicate') {
    // An earlier try rolled back, then stopped before its pin (the cluster or GitHub failed): pin now, unless
    // something was deployed since, or the pin is there.
    const rolledBack = outcome.deployment && outcome.said?.succeeded ? outcome.deployment.id : undefined;
    if (rolledBack !== undefined && (await trail.list(environment.name, 1))[0]?.id === rolledBack && !(await new Pins(client, environment.mesh.namespace).read(environment.name))) {
      report.log.push(...(await pinAfterRollback(client, environment, { sha, deployment: rolledBack, actor })));
    }
    return { log: report.log };
  }
  const applied = outcome.status === 'deployed' && (outcome.result === 'no-changes' || outcome.result.result === 'applied');
  if (applied) report.log.push(...(await pinAfterRollback(client, environment, { sha, deployment: outcome.deployment.id, actor })));
  const plan = 'plan' in outcome && outcome.plan ? renderMarkdown({ environments: [outcome.plan] }, { maxLength: 50_000 }).replace(/^<!-- fsm-gitops:plan -->\n## fsm-gitops plan\n/, '') : '';
  const summary = applied
    ? `Rolled \`${environment.name}\` back to \`${sha.slice(0, 7)}\`. Deploys to \`${environment.name}\` (on merge and by \`/fsm apply\`) are paused until \`/fsm unlock ${environment.name}\`, or until the default branch matches the cluster again.`
    : fence('text', report.refusal ?? 'not rolled back');
  return {
    reply: [`### Rollback of \`${environment.name}\` to \`${sha.slice(0, 7)}\``, '', summary, ...report.log.map((line) => `- ${line}`), '', plan].join('\n'),
    log: report.log,
    refreshStatus: true,
    ...(applied ? { environmentsChanged: [environment.name] } : {}),
  };
}

/** Pins the environment to the rollback (merge deploys and /fsm apply pause) and releases its claim; returns the log lines. */
async function pinAfterRollback(client: KubeClient, environment: EnvironmentConfig, rollback: { sha: string; deployment: number; actor: string }): Promise<string[]> {
  await new Pins(client, environment.mesh.namespace).pin(environment.name, { ...rollback, since: new Date().toISOString() });
  // What held the environment was rolled back: its claim goes, and the pin keeps it from coming back.
  const released = await new Claims(client, environment.mesh.namespace).release(environment.name);
  return released ? [`🔓 \`${environment.name}\`: released the claim of #${Number(released.pr)} (rolled back)`] : [];
}

async function requireRollbackPermission(cc: CommandContext, environment: EnvironmentConfig): Promise<void> {
  const login = cc.event.comment.user.login;
  if (environment.teams.length > 0) {
    if ((await cc.people.canWrite(login)) && (await cc.people.inTeams(login, environment.teams))) return;
    throw new CommandRefusal(`rolling back ${environment.name} is for members of ${environment.teams.join(' or ')} with write permission`);
  }
  if (await cc.people.canMaintain(login)) return;
  throw new CommandRefusal(`rolling back needs the maintain or admin role on the repository; ${login} has ${await cc.people.role(login)}`);
}

/** The full commit SHA of an earlier successful deploy of the environment, or a refusal naming what is known. */
async function resolveTarget(client: KubeClient, trail: DeploymentTrail, environment: EnvironmentConfig, target: RollbackTarget): Promise<string> {
  const history = await readHistory(client, environment.mesh.namespace, environment.name);
  const applied = history.filter((r) => r.result === 'applied');
  if (target.kind === 'deployment') {
    const deployment = await trail.get(target.id);
    if (!deployment || deployment.environment !== environment.name) {
      if (target.sha) return resolveTarget(client, trail, environment, { kind: 'sha', sha: target.sha });
      throw new CommandRefusal(`deployment ${target.id} is not a deployment of ${environment.name}`);
    }
    const succeeded = applied.some((r) => r.deployment === target.id) || (await everSucceeded(trail, target.id));
    if (!succeeded) throw new CommandRefusal(`deployment ${target.id} of ${environment.name} never succeeded; roll back only to a successful deploy`);
    return deployment.sha;
  }
  const fromHistory = applied.find((r) => r.commit.startsWith(target.sha))?.commit;
  if (fromHistory && /^[0-9a-f]{40}$/.test(fromHistory)) return fromHistory;
  for (const deployment of await trail.list(environment.name, 50)) {
    if (deployment.sha.startsWith(target.sha) && (await everSucceeded(trail, deployment.id))) return deployment.sha;
  }
  const known = [...new Set(applied.map((r) => r.commit.slice(0, 7)))].slice(0, 5);
  throw new CommandRefusal(`${target.sha} is not a successful deploy of ${environment.name}${known.length > 0 ? ` (recent ones: ${known.join(', ')})` : ''}; roll back only to one of those`);
}

async function everSucceeded(trail: DeploymentTrail, id: number): Promise<boolean> {
  return (await trail.statesOf(id)).includes('success');
}
