/**
 * js-yaml notices an unclosed `[`, `{` or quote only where the next line breaks its indentation, and says
 * "deficient indentation" there. Scanning up to that point for what is still open names the real mistake.
 */
export function unclosedHint(text: string, errorOffset: number): string | undefined {
  const open: { char: string; line: number }[] = [];
  let quote: { char: string; line: number } | undefined;
  let line = 1;
  let blockIndent: number | undefined; // inside a block scalar (| or >): its lines are text, not syntax
  const lines = text.slice(0, errorOffset).split('\n');
  for (const [index, content] of lines.entries()) {
    line = index + 1;
    const indent = content.length - content.trimStart().length;
    if (blockIndent !== undefined) {
      if (content.trim() === '' || indent > blockIndent) continue;
      blockIndent = undefined;
    }
    for (let i = 0; i < content.length; i++) {
      const char = content[i]!;
      if (quote) {
        if (quote.char === '"' && char === '\\') i++;
        else if (char === quote.char) {
          if (quote.char === "'" && content[i + 1] === "'") i++;
          else quote = undefined;
        }
        continue;
      }
      if (char === '#' && (i === 0 || /\s/.test(content[i - 1]!))) break;
      if ((char === '"' || char === "'") && (i === 0 || /[\s[{,:]/.test(content[i - 1]!))) quote = { char, line };
      else if (char === '[' || char === '{') open.push({ char, line });
      else if ((char === ']' || char === '}') && open.length > 0) open.pop();
    }
    if (!quote && open.length === 0 && /:\s*[|>][-+0-9]*\s*(#.*)?$/.test(content)) blockIndent = indent;
  }
  if (quote) return `the ${quote.char === '"' ? 'double' : 'single'}-quoted string opened on line ${quote.line} is never closed`;
  const last = open.at(-1);
  if (last) return `the ${last.char} opened on line ${last.line} is never closed with ${last.char === '[' ? ']' : '}'}`;
  return undefined;
}

/** The line of the first complex mapping key (`? key`), which js-yaml reports without a position. */
export function complexKeyLine(text: string): number | undefined {
  const index = text.split('\n').findIndex((line) => /^\s*\?(\s|$)/.test(line));
  return index === -1 ? undefined : index + 1;
}
