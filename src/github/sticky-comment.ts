import { limitCommentBody } from '../render/github-limits.ts';
import { COMMENT_MARKER, environmentEnd, environmentStart } from '../render/markdown.ts';
import type { AppIdentity } from './app-identity.ts';
import { createOnce } from './create-once.ts';
import type { Octokit, RepoRef } from './octokit.ts';
/** Lines kept in the comment's deploy log, newest first. */
const LOG_LINES = 10;

/**
 * The one comment fsm-gitops keeps per pull request: the plan, a status block (per environment: approvals,
 * claim, pin) and a log of what commands and merges did. It is found by its marker and its author, this
 * app's bot: anyone can post a comment that starts with the marker, only the app can post as the app.
 */
export interface StickyComment {
  id: number;
  body: string;
}

export async function findStickyComment(octokit: Octokit, ref: RepoRef, issueNumber: number, identity: AppIdentity): Promise<StickyComment | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
  const found = comments.find((c) => c.user?.login === identity.botLogin && c.body?.startsWith(COMMENT_MARKER));
  return found ? { id: found.id, body: found.body ?? '' } : undefined;
}

/**
 * Writes the comment: `compose` gets the current body (or undefined when there is none) and returns the
 * new one, or undefined to leave it as it is. The comment is created at most once (createOnce). A body
 * past GitHub's limit is cut on structure (limitCommentBody): a 422 would lose the whole comment.
 */
export async function writeStickyComment(
  octokit: Octokit,
  ref: RepoRef,
  issueNumber: number,
  identity: AppIdentity,
  compose: (current: string | undefined) => string | undefined,
): Promise<void> {
  let body: string | undefined;
  const { value: comment, created } = await createOnce(
    () => findStickyComment(octokit, ref, issueNumber, identity),
    async () => {
      body = limited(compose(undefined));
      if (body === undefined) return { id: 0, body: '' }; // nothing to say and no comment yet: write none
      const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: { retries: 0 } });
      return { id: data.id, body };
    },
  );
  if (created) return;
  body = limited(compose(comment.body));
  if (body !== undefined && body !== comment.body) await octokit.rest.issues.updateComment({ ...ref, comment_id: comment.id, body });
}

const limited = (body: string | undefined): string | undefined => (body === undefined ? undefined : limitCommentBody(body));

type SectionName = 'status' | 'log';

const start = (name: SectionName) => `<!-- fsm-gitops:${name} -->`;
const end = (name: SectionName) => `<!-- /fsm-gitops:${name} -->`;

/**
 * Where a marker stands on a line of its own, or -1. Every line of the comment that can hold text from a
 * pull request (findings, diffs, field summaries, log lines) starts with something else (`- `, `+`, `>`,
 * spaces), so a manifest value that spells a marker cannot move, hide or forge a section.
 */
function markerAt(body: string, marker: string): number {
  for (let at = body.indexOf(marker); at >= 0; at = body.indexOf(marker, at + 1)) {
    const after = at + marker.length;
    if ((at === 0 || body[at - 1] === '\n') && (after === body.length || body[after] === '\n')) return at;
  }
  return -1;
}

/** The text between a section's markers, or undefined when the body has no such section. */
export function sectionOf(body: string, name: SectionName): string | undefined {
  const from = markerAt(body, start(name));
  const to = markerAt(body, end(name));
  if (from < 0 || to < from) return undefined;
  return body.slice(from + start(name).length, to).replace(/^\n|\n$/g, '');
}

/** The section wrapped in its markers, for a new body. */
export function section(name: SectionName, content: string): string {
  return `${start(name)}\n${content}\n${end(name)}`;
}

/** The body with the section's content replaced, or added when it has none. */
export function withSection(body: string, name: SectionName, content: string): string {
  const from = markerAt(body, start(name));
  const to = markerAt(body, end(name));
  if (from >= 0 && to > from) return `${body.slice(0, from)}${section(name, content)}${body.slice(to + end(name).length)}`;
  // A new log goes under the status block; a new status block under the heading.
  const statusEnd = markerAt(body, end('status'));
  const heading = body.indexOf('\n', body.indexOf('## '));
  const at = name === 'log' && statusEnd >= 0 ? statusEnd + end('status').length + 1 : heading < 0 ? body.length : heading + 1;
  return `${body.slice(0, at)}\n${section(name, content)}\n${body.slice(at)}`;
}

/** Environments the status block is about: `<!-- fsm-gitops:environments a,b -->` inside it. */
export function environmentsShown(body: string): string[] {
  return namesTagged(body, 'environments');
}

/** Those of environmentsShown whose files the pull request does not change (`<!-- fsm-gitops:files-unchanged a -->`). */
export function environmentsFilesUnchanged(body: string): string[] {
  return namesTagged(body, 'files-unchanged');
}

/** The status block's tags: every environment it shows, and those whose files the pull request does not change (a merge deploys nothing there). */
export function environmentsTag(environments: readonly string[], filesUnchanged: readonly string[] = []): string {
  const tags = [`<!-- fsm-gitops:environments ${environments.join(',')} -->`];
  if (filesUnchanged.length > 0) tags.push(`<!-- fsm-gitops:files-unchanged ${filesUnchanged.join(',')} -->`);
  return tags.join('\n');
}

function namesTagged(body: string, tag: 'environments' | 'files-unchanged'): string[] {
  const match = new RegExp(`^<!-- fsm-gitops:${tag} ([a-z0-9,-]*) -->$`, 'm').exec(sectionOf(body, 'status') ?? '');
  return match?.[1] ? match[1].split(',').filter((e) => e !== '') : [];
}

const DEPLOYMENT_REPORTED = /\(Deployment (\d+)[,)]/;

/** A deploy-log line of the command in comment `commentId`, marked with it (an HTML comment: not shown), for withLogLine. */
export function loggedFor(commentId: number, line: string): string {
  return `${line} <!-- fsm-gitops:comment ${commentId} -->`;
}

/**
 * The body with one line added at the top of its deploy log (the oldest lines fall off). A line the log
 * already has, or one reporting a Deployment (`(Deployment 12)`, `(Deployment 12, issue #3)`) it already
 * reports, is not added again: a retried or redelivered event reports what an earlier try may have reported
 * already. A command's lines carry its comment (loggedFor), so the same outcome of two commands is two lines.
 */
export function withLogLine(body: string, line: string): string {
  const lines = (sectionOf(body, 'log') ?? '').split('\n').filter((l) => l.startsWith('- '));
  if (lines.includes(`- ${line}`)) return body;
  const deployment = DEPLOYMENT_REPORTED.exec(line)?.[1];
  if (deployment !== undefined && lines.some((l) => DEPLOYMENT_REPORTED.exec(l)?.[1] === deployment)) return body;
  return withSection(body, 'log', ['**Deploy log**', '', `- ${line}`, ...lines].slice(0, LOG_LINES + 2).join('\n'));
}

/** One environment's plan section of the comment, markers included, or undefined. */
export function environmentSectionOf(body: string, name: string): string | undefined {
  const from = markerAt(body, environmentStart(name));
  const to = markerAt(body, environmentEnd(name));
  return from >= 0 && to > from ? body.slice(from, to + environmentEnd(name).length) : undefined;
}

/** The body with one environment's plan section replaced by `section` (markers included), or appended. */
export function withEnvironmentSection(body: string, name: string, section: string): string {
  const current = environmentSectionOf(body, name);
  return current === undefined ? `${trimNewlines(body)}\n\n${section}\n` : body.replace(current, () => section);
}

/** The body without its trailing newlines (a `/\n*$/` search rescans every run of newlines from each of its characters). */
function trimNewlines(body: string): string {
  let end = body.length;
  while (end > 0 && body[end - 1] === '\n') end--;
  return body.slice(0, end);
}
