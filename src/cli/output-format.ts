import { extname } from 'node:path';
import type { Plan } from '../plan/plan-types.ts';
import { renderJson, type JsonExit } from '../render/json.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderText } from '../render/text.ts';
import { UsageError } from '../workflow/plan-repository.ts';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** `--format`, else --output's extension: .json json, .md / .markdown markdown, anything else (or none) text. */
export function chooseFormat(format: string | undefined, output: string | undefined): Format {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
    return format as Format;
  }
  const extension = output === undefined ? '' : extname(output).toLowerCase();
  return extension === '.json' ? 'json' : extension === '.md' || extension === '.markdown' ? 'markdown' : 'text';
}

/** The plan in `format`; the JSON summary carries `exit`, the code the run ends with. */
export function renderPlan(plan: Plan, format: Format, exit: JsonExit, color: boolean): string {
  if (format === 'json') return renderJson(plan, exit);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color });
}
