import type { Finding } from '../core/finding.ts';
import type { EnvironmentPlan, Plan, ResourceChange } from '../plan/plan-types.ts';
import { fence } from './markdown-code.ts';
import { htmlText, markdownCode, markdownText, oneLine } from './markdown-escape.ts';
import { ACTION_SYMBOL, resourceTitle, showValue, summaryLine } from './summary.ts';
import { unifiedYamlDiff } from './unified-diff.ts';

/** Hidden marker the app looks for to edit its one comment in place. */
export const COMMENT_MARKER = '<!-- fsm-gitops:plan -->';
/** GitHub rejects comment bodies longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

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

/** The PR comment: per environment a summary line, findings, and each resource's diff collapsed in <details>. */
export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const omitted = new Set<ResourceChange>();
  const candidates = plan.environments.flatMap((env) => env.changes.filter((c) => c.action !== 'unchanged'));
  let body = compose(plan, omitted, options);
  // Leave out whole resources, largest diff first, until the body fits.
  const bySize = [...candidates].sort((a, b) => changeBlock(b).length - changeBlock(a).length);
  while (body.length > maxLength && bySize.length > 0) {
    omitted.add(bySize.shift()!);
    body = compose(plan, omitted, options);
  }
  return body.length > maxLength ? `${body.slice(0, maxLength - 40)}\n\n…(truncated)\n` : body;
}

function compose(plan: Plan, omitted: ReadonlySet<ResourceChange>, options: MarkdownOptions): string {
  const parts = [COMMENT_MARKER, '## fsm-gitops plan', ''];
  if (options.preamble) parts.push(options.preamble, '');
  for (const note of options.notes ?? []) parts.push(`> ${oneLine(note)}`, '');
  for (const env of plan.environments) {
    const section = environmentSection(env, omitted, options);
    parts.push(...(options.environmentMarkers ? [environmentStart(env.name), ...section, environmentEnd(env.name)] : section));
  }
  return parts.join('\n');
}

function environmentSection(env: EnvironmentPlan, omitted: ReadonlySet<ResourceChange>, options: MarkdownOptions): string[] {
  const errors = env.findings.some((f) => f.severity === 'error');
  const lines = [`### ${errors ? '❌' : '✅'} ${markdownCode(env.name)} — ${summaryLine(env)}`, ''];
  if (env.findings.length > 0) {
    for (const f of env.findings) lines.push(...findingItem(f));
    lines.push('');
  }
  if (env.restarts.length > 0) {
    lines.push(`<details><summary>⚠️ ${env.restarts.length} workload(s) must restart for this change to reach their sidecars</summary>`, '');
    for (const w of env.restarts) lines.push(`- ${markdownText(w.kind)} ${markdownCode(`${w.namespace}/${w.name}`)}`);
    lines.push('', '</details>', '');
  }
  const changed = env.changes.filter((c) => c.action !== 'unchanged');
  const left = changed.filter((c) => omitted.has(c));
  for (const change of changed.filter((c) => !omitted.has(c))) lines.push(changeBlock(change), '');
  if (left.length > 0) {
    const hint = options.fullPlanHint ?? 'See the check runs for the full diff.';
    lines.push(`_Left out to fit GitHub's comment size limit: ${left.map((c) => markdownCode(resourceTitle(c))).join(', ')}. ${hint}_`, '');
  }
  if (changed.length === 0) lines.push('No changes.', '');
  return lines;
}

function changeBlock(change: ResourceChange): string {
  const summary = `${ACTION_SYMBOL[change.action]} <b>${htmlText(resourceTitle(change))}</b> ${change.action}${change.file ? ` (<code>${htmlText(change.file)}</code>)` : ''}`;
  const lines = [`<details><summary>${summary}</summary>`, ''];
  if (change.pending) lines.push(`> **Pending:** ${markdownText(change.pending)}`, '');
  if (change.action === 'update' && change.fields.length > 0) {
    for (const f of change.fields.slice(0, 50)) lines.push(`- ${markdownCode(f.path)}: ${markdownCode(showValue(f.before))} → ${markdownCode(showValue(f.after))}`);
    if (change.fields.length > 50) lines.push(`- …and ${change.fields.length - 50} more fields`);
    lines.push('');
  }
  lines.push(fence('diff', unifiedYamlDiff(change.before, change.after)), '', '</details>');
  return lines.join('\n');
}

function findingItem(f: Finding): string[] {
  const where = f.file ? ` ${markdownCode(`${f.file}${f.line ? `:${f.line}` : ''}`)}` : '';
  const [first = '', ...rest] = f.message.split('\n');
  const item = [`- ${SEVERITY_ICON[f.severity]} **${f.severity}** ${markdownCode(f.code)}${where}${f.path ? ` (${markdownCode(f.path)})` : ''}: ${markdownText(first)}`];
  if (rest.length > 0) item.push(fence('yaml', rest.join('\n')).replace(/^/gm, '  '));
  return item;
}

/** User-controlled text (file names, keys, messages) as plain Markdown text: see markdownText. */
export const escapeMarkdown = markdownText;
