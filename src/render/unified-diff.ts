import { structuredPatch } from 'diff';
import { dump } from 'js-yaml';
import type { JsonObject } from '../core/json.ts';

export function toYaml(object: JsonObject | undefined): string {
  return object === undefined ? '' : dump(object, { indent: 2, lineWidth: -1, noRefs: true, sortKeys: true });
}

/** A unified diff of the two objects as YAML: hunk headers and lines, without file headers. */
export function unifiedYamlDiff(before: JsonObject | undefined, after: JsonObject | undefined, context = 3): string {
  const patch = structuredPatch('live', 'desired', toYaml(before), toYaml(after), undefined, undefined, { context });
  return patch.hunks
    .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join('\n'))
    .join('\n');
}
