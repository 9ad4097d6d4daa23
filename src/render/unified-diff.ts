import { structuredPatch } from 'diff';
import { dump } from 'js-yaml';
import type { JsonObject } from '../core/json.ts';
import { nextTurn, TimeSlices } from '../core/next-turn.ts';
import type { ResourceChange } from '../plan/plan-types.ts';

/**
 * Objects larger than this, as JSON characters (both sides together), are not shown as a diff. js-yaml's
 * dump overflows the stack on a string of ~2.5 MB (its scalar-style regexes recurse per character), and a
 * diff of a megabyte helps no reviewer: `--format json` holds the whole objects.
 */
export const DIFF_INPUT_LIMIT = 1024 * 1024;
/** Changed lines past which an update's diff is not computed. */
export const DIFF_EDIT_LIMIT = 5_000;
/**
 * Myers' diff (jsdiff) costs O(lines × edits): the edits searched for are held to this budget over the
 * lines, so one update costs well under a second (120,000 lines at 5,000 edits took 4.5 s).
 */
const DIFF_WORK_LIMIT = 100_000_000;

export function toYaml(object: JsonObject | undefined): string {
  return object === undefined ? '' : dump(object, { indent: 2, lineWidth: -1, noRefs: true, sortKeys: true });
}

/**
 * A unified diff of the two objects as YAML: hunk headers and lines, without file headers. Past
 * `DIFF_INPUT_LIMIT` or `DIFF_EDIT_LIMIT` it is one line, `(diff too large to show: …)`, which no diff line
 * can be mistaken for (those start with `@@`, `+`, `-` or a space).
 */
export function unifiedYamlDiff(before: JsonObject | undefined, after: JsonObject | undefined, context = 3): string {
  const size = jsonLength(before) + jsonLength(after);
  if (size > DIFF_INPUT_LIMIT) return `(diff too large to show: ${mebibytes(size)} MiB of JSON, over the ${mebibytes(DIFF_INPUT_LIMIT)} MiB limit; \`fsm-gitops plan --format json\` prints the objects)`;
  const [from, to] = [toYaml(before), toYaml(after)];
  // A create or a delete is every line added or removed: no diff to search for.
  if (from === '' || to === '') return wholeHunk(from === '' ? '+' : '-', from || to);
  const lines = lineCount(from) + lineCount(to);
  const edits = Math.max(1, Math.min(DIFF_EDIT_LIMIT, Math.floor(DIFF_WORK_LIMIT / lines)));
  const patch = structuredPatch('live', 'desired', from, to, undefined, undefined, { context, maxEditLength: edits });
  if (!patch) return `(diff too large to show: more than ${edits.toLocaleString('en-US')} of ${lines.toLocaleString('en-US')} lines differ; \`fsm-gitops plan --format json\` prints the objects)`;
  return patch.hunks
    .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join('\n'))
    .join('\n');
}

/** Every line of `yaml` added (`+`) or removed (`-`), under the hunk header jsdiff would write. */
function wholeHunk(sign: '+' | '-', yaml: string): string {
  if (yaml === '') return '';
  const body = yaml.endsWith('\n') ? yaml.slice(0, -1) : yaml;
  const lines = lineCount(body) + 1;
  const header = sign === '+' ? `@@ -1,0 +1,${lines} @@` : `@@ -1,${lines} +1,0 @@`;
  return `${header}\n${sign}${body.replaceAll('\n', `\n${sign}`)}`;
}

/** A change's unifiedYamlDiff, made once however many outputs show it (text and `--output`, a PR comment and its check runs). */
const diffs = new WeakMap<ResourceChange, { before: JsonObject | undefined; after: JsonObject | undefined; diff: string }>();

/** unifiedYamlDiff of the change's before and after, remembered with the change (again if either is replaced). */
export function changeDiff(change: ResourceChange): string {
  const known = diffs.get(change);
  if (known && known.before === change.before && known.after === change.after) return known.diff;
  const diff = unifiedYamlDiff(change.before, change.after);
  diffs.set(change, { before: change.before, after: change.after, diff });
  return diff;
}

/**
 * Makes changeDiff() of every change but the unchanged ones (those a text, a comment or a check run shows) ahead
 * of the render, `sliceMs` of work at a time with `pause()` between: a render that follows finds them made. The
 * diffs are most of a render's time (js-yaml's dump: ~0.1 s per 500 objects cold), so what arrives meanwhile, such
 * as the answers of writes already sent, is not held up by one long synchronous render.
 */
export async function prepareDiffs(changes: readonly ResourceChange[], pause: () => Promise<void> = nextTurn, sliceMs = 8): Promise<void> {
  const slices = new TimeSlices(pause, sliceMs);
  for (const change of changes) {
    if (change.action === 'unchanged') continue;
    if (slices.due) await slices.next();
    changeDiff(change);
  }
}

function lineCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function jsonLength(object: JsonObject | undefined): number {
  return object === undefined ? 0 : JSON.stringify(object).length;
}

const mebibytes = (chars: number): string => (chars / (1024 * 1024)).toFixed(1);
