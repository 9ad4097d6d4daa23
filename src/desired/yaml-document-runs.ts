/** Characters (end exclusive) of a run of whole YAML documents within a file. */
export interface DocumentRun {
  start: number;
  end: number;
}

/**
 * Cuts a YAML file into runs of whole documents of at least `minChars` characters each (the last may be
 * shorter), each run but the first starting at a `---` line: `---` at column 0 followed by a space, a tab or
 * a line break, or ending the file (YAML 1.2 c-directives-end, a "c-forbidden" line that ends any node of the
 * document before it; js-yaml 5 ends scalars there or reports an error). Only lines after `\n` are looked
 * at. One run, the whole file, when the file has a byte order mark (allowed before any document) or a line
 * starting with `%` (a directive belongs to the `---` after it: cutting there would part them), or is short.
 */
export function documentRuns(text: string, minChars: number): DocumentRun[] {
  const whole = [{ start: 0, end: text.length }];
  if (text.length <= minChars || text.includes('\uFEFF') || /(?:^|[\r\n])%/.test(text)) return whole;
  const runs: DocumentRun[] = [];
  let start = 0;
  for (let at = text.indexOf('\n---', minChars - 1); at !== -1; at = text.indexOf('\n---', Math.max(at + 1, start + minChars - 1))) {
    const line = at + 1;
    if (line - start < minChars || !endsMarker(text, line + 3)) continue;
    runs.push({ start, end: line });
    start = line;
    if (text.length - start <= minChars) break;
  }
  runs.push({ start, end: text.length });
  return runs;
}

/** Whether what follows `---` at `at` leaves it a document marker: a space, a tab, a line break or the end. */
function endsMarker(text: string, at: number): boolean {
  if (at === text.length) return true;
  const next = text.charCodeAt(at);
  return next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d;
}
