import { codeUnitEscape } from '../core/bidi-controls.ts';
import { OWN_STYLE_CODES } from './ansi.ts';

/**
 * Characters a terminal acts on or that make text read otherwise than it is: C0 controls but tab and
 * newline (ESC starts ANSI/OSC sequences: `ESC [2J` clears the screen, `ESC ]8;;URL BEL` makes a link; CR
 * overwrites the line), DEL, C1 controls (U+009B is a one-byte CSI), the Unicode line and paragraph
 * separators, zero-width characters, and the direction marks, embeddings, overrides and isolates of the
 * Unicode bidirectional algorithm (UAX #9; CVE-2021-42574, "Trojan Source"), and the BOM.
 */
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const HIDDEN_OR_NEWLINE = /[\u0000-\u0008\n\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;


/**
 * `text` with every hidden or terminal-controlling character shown as its `\uXXXX` escape (ESC as
 * `\u001b`), so data prints as what it is. Newlines are escaped too unless `keepNewlines` (for a
 * multi-line message); tabs are kept. Inside a JSON string the escapes are JSON's own: the value is unchanged.
 */
export function visible(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? HIDDEN : HIDDEN_OR_NEWLINE, codeUnitEscape);
}

/** The first hidden, terminal-controlling or newline character of `text` and its index, as `visible` escapes it (`\u001b`). */
export function firstHidden(text: string): { escaped: string; index: number } | undefined {
  const found = new RegExp(HIDDEN_OR_NEWLINE.source).exec(text);
  return found ? { escaped: codeUnitEscape(found[0]), index: found.index } : undefined;
}

/**
 * What the CLI writes to stdout: `visible` (newlines kept), except the colour sequences of ansi.ts, which
 * are the only escape sequences let through. Data never carries them: the text renderer passes every data
 * string through `visible` before colouring it.
 */
export function terminalSafe(text: string): string {
  return text
    .split(OWN_STYLE_CODES)
    .map((part, i) => (i % 2 === 1 ? part : visible(part, true)))
    .join('');
}
