/**
 * Markdown cut to at most `limit` characters without breaking what follows it: the cut falls on a line
 * boundary, every code fence and `<details>` open there is closed, and `notice` (one line) says text was
 * cut. Used where a field's length is capped (GitHub's comment, issue and check run limits) after the
 * renderer's own shrinking was not enough.
 *
 * Fences are recognised as CommonMark §4.5 has them (three or more backticks or tildes, closed by a run of
 * the same character at least as long); `<details>` and `</details>` as the renderers write them, on lines
 * of their own. User text outside fences is escaped (markdown-escape.ts), so it cannot open either.
 */
export function cutMarkdown(markdown: string, limit: number, notice = '…(truncated)'): string {
  if (markdown.length <= limit) return markdown;
  const open: string[] = []; // closers of what is open, innermost last
  let kept = 0; // characters of `markdown` kept so far (whole lines)
  let closers = '';
  for (let start = 0; start < markdown.length; ) {
    const end = markdown.indexOf('\n', start);
    const next = end < 0 ? markdown.length : end + 1;
    const line = markdown.slice(start, end < 0 ? markdown.length : end);
    const state = [...open];
    track(state, line);
    const tail = closing(state);
    if (next + tail.length + notice.length > limit) break;
    open.splice(0, open.length, ...state);
    kept = next;
    closers = tail;
    start = next;
  }
  const body = markdown.slice(0, kept);
  const cut = `${body}${body === '' || body.endsWith('\n') ? '' : '\n'}${closers}${notice}`;
  return cut.length <= limit ? cut : notice.slice(0, limit);
}

function track(open: string[], line: string): void {
  const top = open.at(-1);
  if (top !== undefined && isFence(top)) {
    const indent = /^\s*/.exec(line)![0];
    const run = line.slice(indent.length).trimEnd();
    const fence = top.trimStart();
    if (run.length >= fence.length && run === fence[0]!.repeat(run.length)) open.pop();
    return;
  }
  const fence = /^(\s*)(`{3,}|~{3,})/.exec(line);
  if (fence) open.push(`${fence[1]}${fence[2]}`);
  else if (/^<details[\s>]/.test(line)) open.push('</details>');
  else if (line.trim() === '</details>' && top === '</details>') open.pop();
}

const isFence = (closer: string): boolean => /^\s*(`|~)/.test(closer);

function closing(open: readonly string[]): string {
  return [...open].reverse().map((closer) => `${closer}\n`).join('');
}
