import type { Finding } from '../core/finding.ts';
import type { EnvironmentPlan, Plan, ResourceChange } from '../plan/plan-types.ts';
import { appendAll } from '../core/arrays.ts';
import { ACTION_SYMBOL, omittedSentence, resourceTitle, showValues, summaryLine } from './summary.ts';
import { changeDiff } from './unified-diff.ts';
import { ansi, type Style } from './ansi.ts';
import { visible } from './terminal-text.ts';

export interface TextOptions {
  color: boolean;
}

/**
 * The plan for a terminal: per environment, each change with its fields and diff, then the findings. Every
 * string from the repository or the cluster is shown through `visible` (terminal-text.ts) before it is
 * coloured: a file name or a value cannot move the cursor, clear the screen, link, or colour the output.
 */
export function renderText(plan: Plan, options: TextOptions): string {
  const paint = (style: Style, text: string): string => (options.color ? ansi(style, text) : text);
  return plan.environments.map((env) => renderEnvironment(env, paint)).join('\n\n') + '\n';
}

function renderEnvironment(env: EnvironmentPlan, paint: (style: Style, text: string) => string): string {
  const lines: string[] = [paint('bold', `Environment ${visible(env.name)}`) + paint('dim', ` (${visible(env.path)}, live state from ${visible(env.liveSource)})`)];
  const changed = env.changes.filter((c) => c.action !== 'unchanged');
  if (changed.length === 0) lines.push('  No changes.');
  for (const change of changed) appendAll(lines, ['', ...renderChange(change, paint)]);
  const unchanged = env.changes.length - changed.length;
  if (unchanged > 0) lines.push('', paint('dim', `  ${unchanged} resource${unchanged === 1 ? '' : 's'} unchanged`));
  if (env.restarts.length > 0) {
    lines.push('', paint('yellow', '  Workloads to restart for this change to reach their sidecars:'));
    for (const w of env.restarts) lines.push(`    ${visible(`${w.kind} ${w.namespace}/${w.name}`)}`);
  }
  const omitted = env.omittedFindings ?? [];
  if (env.findings.length > 0 || omitted.length > 0) {
    lines.push('', paint('bold', '  Findings:'));
    for (const f of env.findings) appendAll(lines, renderFinding(f, paint));
    for (const o of omitted) lines.push(`    ${paint('dim', omittedSentence(o, (file) => file))}`);
  }
  lines.push('', `  ${paint('bold', 'Plan:')} ${summaryLine(env)}`);
  return lines.join('\n');
}

const ACTION_STYLE = { create: 'green', update: 'yellow', delete: 'red', unchanged: 'dim' } as const;

function renderChange(change: ResourceChange, paint: (style: Style, text: string) => string): string[] {
  const where = change.file ? paint('dim', `  (${visible(change.file)}${change.line ? `:${change.line}` : ''})`) : '';
  const lines = [`  ${paint(ACTION_STYLE[change.action], `${ACTION_SYMBOL[change.action]} ${visible(resourceTitle(change))}`)} ${paint('dim', change.action)}${where}`];
  if (change.pending) lines.push(paint('yellow', `    pending: ${visible(change.pending)}`));
  if (change.rollout) lines.push(paint('yellow', '    rolls: its pod template changes, so its pods are replaced'));
  if (change.action === 'update') {
    for (const field of change.fields) lines.push(`    ${visible(`${field.path}: ${showValues(field.before, field.after).join(' → ')}`)}`);
  }
  const diff = changeDiff(change);
  for (const line of diff.split('\n')) {
    const style = line.startsWith('+') ? 'green' : line.startsWith('-') ? 'red' : line.startsWith('@@') ? 'cyan' : 'dim';
    if (line !== '') lines.push(`    ${paint(style, visible(line))}`);
  }
  return lines;
}

const SEVERITY_STYLE = { error: 'red', warning: 'yellow', notice: 'cyan' } as const;

function renderFinding(f: Finding, paint: (style: Style, text: string) => string): string[] {
  const where = f.file ? `${visible(f.file)}${f.line ? `:${f.line}:${f.column ?? 1}` : ''}` : '';
  const [first, ...rest] = visible(f.message, true).split('\n');
  return [
    `    ${paint(SEVERITY_STYLE[f.severity], f.severity)} ${paint('dim', `[${visible(f.code)}]`)}${where ? ` ${where}` : ''}${f.path ? paint('dim', ` ${visible(f.path)}`) : ''}`,
    `      ${first}`,
    ...rest.map((line) => `      ${line}`),
  ];
}
