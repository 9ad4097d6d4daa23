import { describeSteps } from '../apply/chart-apply.ts';
import { warningsOf } from '../core/error-warnings.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { helmRevisions, recordOutcome, type DeployOutcome } from '../deploy/deploy-environment.ts';
import { clip } from '../render/github-limits.ts';
import { escapeMarkdown } from '../render/markdown.ts';
import { markdownMessage } from '../render/markdown-escape.ts';
import { MESSAGE_SHOWN } from '../render/summary.ts';
import type { EventContext } from './app-context.ts';
import { clearDeployFailure, reportDeployFailure } from './failure-issue.ts';
import { retryCannotHelp } from './retry-cannot-help.ts';
import { pullRequestText } from '../render/pull-request-ref.ts';

export interface DeployReport {
  /** Lines for the pull request's deploy log (Markdown, escaped). */
  log: string[];
  /** Why nothing was applied, as plain text for a code block. */
  refusal?: string;
  /** The apply ran and failed: the environment's fsm-deploy-failed issue has it. */
  failed: boolean;
}

/**
 * Turns a deploy's outcome into what people see: a deploy-log line, a refusal, and for a failed apply the
 * environment's fsm-deploy-failed issue (closed again by the next success).
 */
export async function reportOutcome(ctx: EventContext, environment: EnvironmentConfig, sha: string, actor: string, outcome: DeployOutcome, verb = 'apply'): Promise<DeployReport> {
  const report = await reportStatus(ctx, environment, sha, actor, outcome, verb);
  return { ...report, log: [...report.log, ...warningLines(environment.name, outcome.warnings)] };
}

/** A deploy's warnings as deploy-log lines, after the line of what it did. */
function warningLines(environment: string, warnings: readonly string[]): string[] {
  return warnings.map((w) => `⚠️ \`${environment}\`: ${escapeMarkdown(w)}`);
}

/** "apply of `abc1234`", "merge deploy of", but "rollback to": a rollback goes back to the commit it names. */
function ofCommit(verb: string): string {
  return verb === 'rollback' ? 'to' : 'of';
}

/** The report of the outcome's status, its warnings apart. */
async function reportStatus(ctx: EventContext, environment: EnvironmentConfig, sha: string, actor: string, outcome: DeployOutcome, verb: string): Promise<DeployReport> {
  const name = environment.name;
  const short = sha.slice(0, 7);
  switch (outcome.status) {
    case 'duplicate': {
      // An earlier try applied, then GitHub refused its report: say it now. A log that has the line keeps one (withLogLine).
      if (!outcome.deployment || !outcome.said) return { log: [], failed: false };
      const { succeeded } = outcome.said;
      // The line names the commit already: the history's words, not the status's (`applied abc1234: …`), when there are any.
      const description = outcome.record ? recordOutcome(outcome.record) : outcome.said.description;
      return { log: [`${succeeded ? '✅' : '❌'} \`${name}\`: ${verb} ${ofCommit(verb)} \`${short}\` by ${escapeMarkdown(actor)}: ${markdownMessage(clip(description, MESSAGE_SHOWN))} (Deployment ${outcome.deployment.id})`], failed: false };
    }
    case 'refused':
      return { log: [], refusal: `${name}: not applied: ${outcome.reason}; see the check run, fix, push, then /fsm plan ${name}`, failed: false };
    case 'plan-changed':
      if (verb === 'merge deploy') {
        return { log: [], refusal: `${name}: not deployed on merge: the plan of the merge commit ${short} is not the one the review of the pull request showed (the cluster or the default branch changed since); /fsm status shows the difference: deploy it with a new pull request or the CLI`, failed: false };
      }
      return { log: [], refusal: `${name}: not applied: the plan of ${short} is not the one the review showed (the cluster or the default branch changed since); run /fsm plan ${name}, check it, and apply again`, failed: false };
    case 'in-sync':
      return { log: [`\`${name}\`: ${verb} ${ofCommit(verb)} \`${short}\`: nothing to do, the cluster already matches it (applied since the review)`], failed: false };
    case 'claimed':
      return { log: [], refusal: `${name}: not applied: locked by ${pullRequestText(outcome.holder.pr, outcome.holder.repository, ctx.repository.fullName)} meanwhile; merge or close it, or /fsm unlock ${name}`, failed: false };
    case 'deployed':
      return deployedReport(ctx, outcome, name, verb, short, actor);
  }
}

/** The report of an apply that ran: success, nothing to change, or a failure (with its issue). */
async function deployedReport(ctx: EventContext, outcome: Extract<DeployOutcome, { status: 'deployed' }>, name: string, verb: string, short: string, actor: string): Promise<DeployReport> {
  const deployment = `Deployment ${outcome.deployment.id}`;
  const who = escapeMarkdown(actor);
  if (outcome.result === 'no-changes') return { log: [`\`${name}\`: ${verb} ${ofCommit(verb)} \`${short}\` by ${who}: nothing to change, the cluster already matches (${deployment})`], failed: false };
  if (outcome.result.result === 'applied') {
    const cleared = await unlessCannotHelp(clearDeployFailure(ctx, name, `${verb} ${ofCommit(verb)} ${short} (${deployment})`));
    const notClosed = cleared instanceof Error ? [`⚠️ \`${name}\`: its open fsm-deploy-failed issue could not be closed: ${markdownMessage(clip(cleared.message, MESSAGE_SHOWN))}`] : [];
    return { log: [`✅ \`${name}\`: ${verb} ${ofCommit(verb)} \`${short}\` by ${who}: ${escapeMarkdown(describeSteps(outcome.result.done) + helmRevisions(outcome.result.helm))} (${deployment})`, ...notClosed], failed: false };
  }
  const failure = outcome.result.message ?? 'unknown failure';
  const next = nextStep(name, verb, outcome.result.result);
  // The issue has room for the error; the deploy log, ten lines in the PR comment, for its start.
  const issue = await unlessCannotHelp(reportDeployFailure(ctx, name, `❌ The ${verb} ${ofCommit(verb)} \`${short}\` ${verb === 'rollback' ? 'in' : 'to'} \`${name}\` by ${who} failed (${deployment}): ${markdownMessage(clip(failure, 10_000))}${notUndoneList(outcome.result.notUndone)}\n\n${escapeMarkdown(next)}`));
  const where = issue instanceof Error ? `; the fsm-deploy-failed issue could not be opened: ${markdownMessage(clip(issue.message, MESSAGE_SHOWN))}` : '';
  return { log: [`❌ \`${name}\`: ${verb} ${ofCommit(verb)} \`${short}\` by ${who} failed (${deployment}${issue instanceof Error ? '' : `, issue #${issue}`}): ${markdownMessage(clip(failure, MESSAGE_SHOWN))}${where}`], refusal: `${name}: the ${verb} failed: ${outcome.result.message ?? ''}\n${next}`, failed: true };
}

/** Steps not undone, in the failure issue: each on its line, the first NOT_UNDONE_LISTED (the message names three). */
const NOT_UNDONE_LISTED = 50;

function notUndoneList(notUndone: readonly string[]): string {
  if (notUndone.length === 0) return '';
  const more = notUndone.length > NOT_UNDONE_LISTED ? `\n- and ${notUndone.length - NOT_UNDONE_LISTED} more` : '';
  return `\n\nNot undone:\n${notUndone.slice(0, NOT_UNDONE_LISTED).map((p) => `- ${markdownMessage(clip(p, MESSAGE_SHOWN))}`).join('\n')}${more}`;
}

/**
 * The failure issue's upkeep after the cluster was written, when GitHub refuses it for good (retryCannotHelp: a
 * permission the installation lacks): the error, to be said in the deploy log, so the report goes on (a
 * rollback's pin follows it) rather than reading as a command that did not run. Other errors are thrown: the
 * delivery is tried again, and the retry finds the apply done.
 */
async function unlessCannotHelp<T>(work: Promise<T>): Promise<T | Error> {
  try {
    return await work;
  } catch (error) {
    if (retryCannotHelp(error)) return error as Error;
    throw error;
  }
}

/** What to do after a failed apply: it depends on whether the cluster is back as it was, and on how the apply was started. */
function nextStep(name: string, verb: string, result: 'rolled-back' | 'failed' | 'refused'): string {
  const again = verb === 'merge deploy' ? 'deploy it with a new pull request or the CLI (a merge is not deployed twice)' : `/fsm plan ${name}, then /fsm apply ${name}`;
  if (result === 'failed') return `Next: the cluster needs attention. What was not undone is listed above; /fsm status and the drift issue show where ${name} stands. Once it is mended, ${again}.`;
  return `Next: nothing of it is left in the cluster. Fix the cause, then ${again}.`;
}

/**
 * A merge deploy that stopped on an error (an API server that cannot be reached, a deadline) and will not be
 * tried again: the environment's fsm-deploy-failed issue gets it, as a failed apply; returns its deploy-log
 * lines (the stop, then the warnings the error carries: a lock taken over before it). Nothing was written:
 * deployEnvironment throws only before its first write (its Deployment, if made, is `error`).
 */
export async function reportStopped(ctx: EventContext, environment: string, sha: string, actor: string, error: Error): Promise<string[]> {
  const short = sha.slice(0, 7);
  const who = escapeMarkdown(actor);
  const next = 'it is not tried again: once the cause is fixed, deploy it with a new pull request or the CLI (the drift issue shows the difference meanwhile)';
  const warnings = warningsOf(error);
  const alsoSaid = warnings.length > 0 ? `\n\n${warnings.map((w) => `⚠️ ${escapeMarkdown(clip(w, MESSAGE_SHOWN))}`).join('\n')}` : '';
  const issue = await reportDeployFailure(ctx, environment, `❌ The merge deploy of \`${short}\` to \`${environment}\` by ${who} stopped: ${markdownMessage(clip(error.message, 10_000))}${alsoSaid}\n\n${next[0]!.toUpperCase()}${next.slice(1)}.`);
  return [`❌ \`${environment}\`: merge deploy of \`${short}\` by ${who} stopped (issue #${issue}): ${markdownMessage(clip(error.message, MESSAGE_SHOWN))}; ${next}`, ...warningLines(environment, warnings)];
}
