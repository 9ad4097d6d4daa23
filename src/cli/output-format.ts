import type { Plan } from '../plan/plan-types.ts';
import { renderJson, type JsonExit } from '../render/json.ts';
import { renderMarkdown } from '../render/markdown.ts';
import { renderText } from '../render/text.ts';
import type { Format } from './format-choice.ts';

/** The plan in `format`; the JSON summary carries `exit`, the code the run ends with. */
export function renderPlan(plan: Plan, format: Format, exit: JsonExit, color: boolean): string {
  if (format === 'json') return renderJson(plan, exit);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color });
}
