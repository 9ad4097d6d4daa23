import type { Finding } from '../core/finding.ts';
import { worstSeverity, type OmittedFindings } from '../plan/finding-caps.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { CHECK_TEXT_LIMIT, clip, limitAnnotationMessage, limitAnnotationTitle, limitCheckText } from './github-limits.ts';
import { markdownCode, markdownMessage, markdownText, oneLine } from './markdown-escape.ts';
import { namesList, omittedSentence, resourceTitle, summaryLine, MESSAGE_SHOWN } from './summary.ts';
import { changeDiff } from './unified-diff.ts';
import { fence } from './markdown-code.ts';


export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  text: string;
  annotations: CheckAnnotation[];
}

const LEVEL = { error: 'failure', warning: 'warning', notice: 'notice' } as const;

/**
 * One environment's plan as a check run: success without errors (neutral when the API server did not dry-run
 * it: `dryRun: false`, a fork's plan, whose objects the server may still refuse), a summary, the diffs, and an
 * annotation per finding with a place (the plan holds at most FINDINGS_PER_PLAN of them), plus one per file
 * whose further findings the plan left out, saying how many. Every field is held to GitHub's limits (github-limits.ts).
 */
export function renderCheckRun(plan: EnvironmentPlan, notes: readonly string[] = [], { dryRun = true }: { dryRun?: boolean } = {}): CheckRunOutput {
  const errors = plan.findings.some((f) => f.severity === 'error') || (plan.omittedFindings ?? []).some((o) => o.severities.error > 0);
  const summary = [
    `**${summaryLine(plan)}**`,
    ...notes.map((note) => `> ${oneLine(note)}`),
    '',
    ...plan.findings.filter((f) => !f.file).map((f) => `- **${f.severity}** ${markdownCode(f.code)}: ${markdownMessage(clip(f.message, MESSAGE_SHOWN))}`),
    ...(plan.omittedFindings ?? []).map((o) => `- ${omittedSentence(o, markdownCode)}`),
    ...(plan.restarts.length > 0 ? ['', `Workloads to restart: ${namesList(plan.restarts.map((w) => `${w.kind} ${w.namespace}/${w.name}`), markdownCode)}`] : []),
  ].join('\n');
  return {
    conclusion: errors ? 'failure' : dryRun ? 'success' : 'neutral',
    title: summaryLine(plan),
    summary: limitCheckText(summary),
    text: limitCheckText(diffText(plan)),
    annotations: [...plan.findings.flatMap(toAnnotation), ...(plan.omittedFindings ?? []).flatMap(omittedAnnotation)],
  };
}

function toAnnotation(f: Finding): CheckAnnotation[] {
  if (!f.file) return [];
  const line = f.line ?? 1;
  return [{ path: f.file, start_line: line, end_line: line, annotation_level: LEVEL[f.severity], title: limitAnnotationTitle(f.path ? `${f.code}: ${f.path}` : f.code), message: limitAnnotationMessage(f.message) }];
}

/** The findings of a file left out past the caps, as one annotation on the file's first line. */
function omittedAnnotation(o: OmittedFindings): CheckAnnotation[] {
  if (o.file === undefined) return [];
  const title = `${o.count.toLocaleString('en-US')} more finding${o.count === 1 ? '' : 's'} not shown`;
  return [{ path: o.file, start_line: 1, end_line: 1, annotation_level: LEVEL[worstSeverity(o)], title, message: omittedSentence(o, () => 'this file') }];
}

/** Every changed resource's diff, leaving out whole resources (and saying which) past GitHub's limit. */
function diffText(plan: EnvironmentPlan): string {
  const blocks = plan.changes
    .filter((c) => c.action !== 'unchanged')
    .map((c) => ({ title: resourceTitle(c), text: `#### ${c.action} ${markdownText(resourceTitle(c))}${c.pending ? `\n_Pending:_ ${markdownMessage(c.pending)}` : ''}\n\n${fence('diff', changeDiff(c))}\n` }));
  const kept: string[] = [];
  const left: string[] = [];
  let length = 0;
  for (const block of blocks) {
    if (length + block.text.length > CHECK_TEXT_LIMIT - 1_000) left.push(block.title);
    else {
      kept.push(block.text);
      length += block.text.length;
    }
  }
  if (left.length > 0) kept.push(`_Left out (too large for a check run): ${namesList(left, markdownCode)}. Run \`fsm-gitops plan\` for the full diff._`);
  return kept.join('\n') || 'No changes.';
}
