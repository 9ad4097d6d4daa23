/** A fenced block whose fence is longer than any backtick run inside it, so nothing inside can close it. */
export function fence(language: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${text}\n${ticks}`;
}

/** Text for a Markdown table cell: escaped like other user text, with pipes and line breaks that cannot end the cell. */
export function tableCell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/@(?=\w)/g, '@\u200b').replace(/\r?\n/g, ' ');
}
