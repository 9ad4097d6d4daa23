import type { Finding } from '../core/finding.ts';
import type { EnvironmentPlan, Plan, ResourceChange } from '../plan/plan-types.ts';
import { fence } from './markdown-code.ts';
import { htmlText, markdownCode, markdownMessage, markdownText, oneLine } from './markdown-escape.ts';
import { appendAll } from '../core/arrays.ts';
import { clip, COMMENT_BODY_LIMIT } from './github-limits.ts';
import { cutMarkdown } from './markdown-cut.ts';
import { ACTION_SYMBOL, MESSAGE_SHOWN, namesList, omittedSentence, resourceTitle, showValues, summaryLine } from './summary.ts';
import { changeDiff } from './unified-diff.ts';

/** Hidden marker the app looks for to edit its one comment in place. */
export const COMMENT_MARKER = '<!-- fsm-gitops:plan -->';
/** GitHub rejects comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = COMMENT_BODY_LIMIT;

export interface MarkdownOptions {
  maxLength?: number;
  /** Shown where resources had to be left out, e.g. "See the fsm-gitops/<env> check runs for the full diff." */
  fullPlanHint?: string;
  /** Lines shown under the heading (already Markdown): how the plan was made, environments that could not be planned. */
  notes?: readonly string[];
  /** Markdown placed right under the heading, before the notes (the app's status block and deploy log). */
  preamble?: string;
  /** Wrap each environment's section in hidden markers, so one environment's plan can be replaced alone. */
  environmentMarkers?: boolean;
}

/** Hidden markers around one environment's section of the PR comment. */
export const environmentStart = (name: string): string => `<!-- fsm-gitops:env ${name} -->`;
export const environmentEnd = (name: string): string => `<!-- /fsm-gitops:env ${name} -->`;

const SEVERITY_ICON = { error: '❌', warning: '⚠️', notice: 'ℹ️' } as const;

/**
 * How much of each environment a body shows. The comment shrinks through these in order until it fits;
 * every stage keeps every environment's heading and summary line, so none drops out of the comment.
 */
type Detail =
  /** Findings and diffs; the diffs in `omitted` left out (named). */
  | { stage: 'full'; omitted: ReadonlySet<ResourceChange> }
  /** Findings; no diffs, the changed resources named. */
  | { stage: 'no-diffs' }
  /** At most FEW_FINDINGS findings per environment, no diffs. */
  | { stage: 'few-findings' }
  /** The summary line and a pointer to the check run. */
  | { stage: 'summary' };

const FEW_FINDINGS = 10;

/**
 * The PR comment: per environment a summary line, findings, and each resource's diff collapsed in <details>.
 * At most `maxLength` characters (GitHub's comment limit by default): past it, diffs are left out (largest
 * first, named; once the diffs built hold twice the limit, the later ones are left out unbuilt), then all
 * diffs, then findings past the first few, then findings altogether (the check run has them); as a last
 * resort the body is cut on a line, closing what was open (cutMarkdown).
 */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const cache = new Map<ResourceChange, string>();
  const blockOf = (c: ResourceChange): string => cache.get(c) ?? cache.set(c, changeBlock(c)).get(c)!;
  const compose = (detail: Detail): string => composeBody(plan, detail, options, blockOf);
  // Diff blocks are built in plan order until they hold twice the limit: the rest cannot be shown, and building
  // them (YAML dump and diff each) is most of a large plan's render; they are left out unbuilt (named).
  const blocks: { env: EnvironmentPlan; change: ResourceChange; size: number }[] = [];
  const unbuilt = new Set<ResourceChange>();
  let built = 0;
  for (const env of plan.environments) {
    for (const change of env.changes) {
      if (change.action === 'unchanged') continue;
      if (built > BUILD_BUDGET * maxLength) {
        unbuilt.add(change);
        continue;
      }
      const size = blockOf(change).length + 2;
      built += size;
      blocks.push({ env, change, size });
    }
  }
  const first = compose({ stage: 'full', omitted: unbuilt });
  if (first.length <= maxLength) return first;
  // Leave out diffs, largest first, until the sizes add up to a body that fits (composed once, then checked).
  blocks.sort((a, b) => b.size - a.size);
  const omitted = new Set(unbuilt);
  // An environment's line naming what was left out may already be in `first` (unbuilt diffs): the reserve still
  // covers its growth as more names join it.
  const naming = new Set<EnvironmentPlan>();
  let length = first.length;
  for (const block of blocks) {
    if (length <= maxLength) break;
    omitted.add(block.change);
    length -= block.size;
    if (!naming.has(block.env)) length += LEFT_OUT_RESERVE + (options.fullPlanHint?.length ?? 0);
    naming.add(block.env);
  }
  for (const detail of [{ stage: 'full', omitted }, { stage: 'no-diffs' }, { stage: 'few-findings' }, { stage: 'summary' }] as const) {
    const body = compose(detail);
    if (body.length <= maxLength) return body;
  }
  return cutMarkdown(compose({ stage: 'summary' }), maxLength);
}

/** Diff blocks built, in multiples of the body's limit: enough to choose the largest to leave out among them. */
const BUILD_BUDGET = 2;

/** Room kept, per environment that leaves diffs out, for the line naming them (besides the hint). */
const LEFT_OUT_RESERVE = 1_000;

function composeBody(plan: Plan, detail: Detail, options: MarkdownOptions, blockOf: (change: ResourceChange) => string): string {
  const parts = [COMMENT_MARKER, '## fsm-gitops plan', ''];
  if (options.preamble) parts.push(options.preamble, '');
  for (const note of options.notes ?? []) parts.push(`> ${oneLine(note)}`, '');
  for (const env of plan.environments) {
    if (options.environmentMarkers) parts.push(environmentStart(env.name));
    appendAll(parts, environmentSection(env, detail, options, blockOf));
    if (options.environmentMarkers) parts.push(environmentEnd(env.name));
  }
  return parts.join('\n');
}

function environmentSection(env: EnvironmentPlan, detail: Detail, options: MarkdownOptions, blockOf: (change: ResourceChange) => string): string[] {
  const errors = env.findings.some((f) => f.severity === 'error') || (env.omittedFindings ?? []).some((o) => o.severities.error > 0);
  const lines = [`### ${errors ? '❌' : '✅'} ${markdownCode(env.name)} — ${summaryLine(env)}`, ''];
  const hint = options.fullPlanHint ?? 'See the check runs for the full diff.';
  const changed = env.changes.filter((c) => c.action !== 'unchanged');
  if (detail.stage === 'summary') {
    if (changed.length > 0 || env.findings.length > 0) lines.push(`_Findings and diffs left out to fit GitHub's comment size limit. ${hint}_`, '');
    return lines;
  }
  const shown = detail.stage === 'few-findings' ? env.findings.slice(0, FEW_FINDINGS) : env.findings;
  for (const f of shown) appendAll(lines, findingItem(f));
  for (const o of env.omittedFindings ?? []) lines.push(`- ${omittedSentence(o, markdownCode)}`);
  if (shown.length < env.findings.length) lines.push(`- … and ${(env.findings.length - shown.length).toLocaleString('en-US')} more findings, left out to fit GitHub's comment size limit: see the check run`);
  if (shown.length > 0 || (env.omittedFindings ?? []).length > 0) lines.push('');
  if (env.restarts.length > 0) {
    lines.push(`<details><summary>⚠️ ${env.restarts.length} workload(s) must restart for this change to reach their sidecars</summary>`, '');
    for (const w of env.restarts.slice(0, RESTARTS_LISTED)) lines.push(`- ${markdownText(w.kind)} ${markdownCode(`${w.namespace}/${w.name}`)}`);
    if (env.restarts.length > RESTARTS_LISTED) lines.push(`- … and ${env.restarts.length - RESTARTS_LISTED} more`);
    lines.push('', '</details>', '');
  }
  const left = detail.stage === 'full' ? changed.filter((c) => detail.omitted.has(c)) : changed;
  if (detail.stage === 'full') for (const change of changed.filter((c) => !detail.omitted.has(c))) lines.push(blockOf(change), '');
  if (left.length > 0) lines.push(`_Left out to fit GitHub's comment size limit: ${namesList(left.map(resourceTitle), markdownCode)}. ${hint}_`, '');
  if (changed.length === 0) lines.push('No changes.', '');
  return lines;
}

/** Workloads listed by name in the restart block. */
const RESTARTS_LISTED = 50;

function changeBlock(change: ResourceChange): string {
  const summary = `${ACTION_SYMBOL[change.action]} <b>${htmlText(resourceTitle(change))}</b> ${change.action}${change.file ? ` (<code>${htmlText(change.file)}${change.line ? `:${change.line}` : ''}</code>)` : ''}`;
  const lines = [`<details><summary>${summary}</summary>`, ''];
  if (change.pending) lines.push(`> **Pending:** ${markdownMessage(change.pending)}`, '');
  if (change.rollout) lines.push('> **Rolls:** its pod template changes, so its pods are replaced', '');
  if (change.action === 'update' && change.fields.length > 0) {
    for (const f of change.fields.slice(0, 50)) {
      const [before, after] = showValues(f.before, f.after);
      lines.push(`- ${markdownCode(clip(f.path, PATH_SHOWN))}: ${markdownCode(before)} → ${markdownCode(after)}`);
    }
    if (change.fields.length > 50) lines.push(`- …and ${change.fields.length - 50} more fields`);
    lines.push('');
  }
  lines.push(fence('diff', changeDiff(change)), '', '</details>');
  return lines.join('\n');
}

/** Characters of a JSON path shown (a path is made of the file's keys, which can be long). */
const PATH_SHOWN = 200;

function findingItem(f: Finding): string[] {
  const where = f.file ? ` ${markdownCode(`${f.file}${f.line ? `:${f.line}` : ''}`)}` : '';
  const [first = '', ...rest] = f.message.split('\n');
  const item = [`- ${SEVERITY_ICON[f.severity]} **${f.severity}** ${markdownCode(f.code)}${where}${f.path ? ` (${markdownCode(clip(f.path, PATH_SHOWN))})` : ''}: ${markdownMessage(clip(first, MESSAGE_SHOWN))}`];
  if (rest.length > 0) item.push(fence('yaml', clip(rest.join('\n'), MESSAGE_SHOWN)).replace(/^/gm, '  '));
  return item;
}

/** User-controlled text (file names, keys, messages) as plain Markdown text: see markdownText. */
export const escapeMarkdown = markdownText;
