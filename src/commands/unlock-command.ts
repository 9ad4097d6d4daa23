import type { EnvironmentConfig } from '../config/repo-config.ts';
import { Claims } from '../deploy/claims.ts';
import { Pins } from '../deploy/pins.ts';
import { fence } from '../render/markdown-code.ts';
import { escapeMarkdown } from '../render/markdown.ts';
import { namedEnvironments, requireWrite, type CommandContext, type CommandResult } from './command-context.ts';

/**
 * `/fsm unlock [env...]`: releases the named environments' claims (whichever pull request holds them) and
 * rollback pins. Without names: the environments this pull request holds. Needs write permission (and the
 * environment's teams).
 */
export async function unlockCommand(cc: CommandContext, names: readonly string[]): Promise<CommandResult> {
  const repository = cc.repository.fullName;
  const pr = cc.event.issue.number;
  const named = names.length > 0;
  const environments = named ? namedEnvironments(cc, names) : cc.policy.environments;
  const log: string[] = [];
  const untouched: string[] = [];
  const changed: string[] = [];
  // Unnamed, the pins seen: only `/fsm unlock <env>` lifts one, and the reply says so.
  const pinned: string[] = [];
  for (const environment of environments) {
    // Named environments must be reachable; when looking for this pull request's claims, others are skipped.
    const client = named ? await cc.deps.live.client(environment.cluster) : await cc.deps.live.client(environment.cluster).catch(() => undefined);
    if (!client) continue;
    const claims = new Claims(client, environment.mesh.namespace);
    const claim = await claims.read(environment.name);
    const mine = claim?.repository === repository && claim.pr === pr;
    if (!named && !mine) {
      const pin = await new Pins(client, environment.mesh.namespace).read(environment.name).catch(() => undefined);
      if (pin) pinned.push(`${environment.name} is paused since a rollback to ${String(pin.sha).slice(0, 7)} by ${String(pin.actor)}: /fsm unlock ${environment.name} resumes it`);
      continue;
    }
    await requireWrite(cc, environment, '/fsm unlock');
    const released = claim ? await claims.release(environment.name, { repository: claim.repository, pr: claim.pr }) : undefined;
    const unpinned = named ? await new Pins(client, environment.mesh.namespace).unpin(environment.name) : undefined;
    const what = [...(released ? [`released the claim of #${Number(released.pr)}`] : []), ...(unpinned ? ['resumed deploys (pin removed)'] : [])];
    if (what.length === 0) untouched.push(environment.name);
    else {
      log.push(unlockLine(environment, cc.event.comment.user.login, what));
      changed.push(environment.name);
    }
  }
  if (log.length === 0) {
    const which = named ? untouched.join(', ') : 'no environment is held by this pull request';
    const pins = pinned.length > 0 ? `\n${pinned.join('\n')}` : '';
    return { reply: fence('text', `Nothing to unlock: ${named ? `${which} ${untouched.length === 1 ? 'is' : 'are'} neither claimed nor pinned` : which}.${pins}`) };
  }
  return { log, refreshStatus: true, environmentsChanged: changed };
}

function unlockLine(environment: EnvironmentConfig, actor: string, what: string[]): string {
  return `\`${environment.name}\`: unlocked by ${escapeMarkdown(actor)}: ${what.join('; ')}`;
}
