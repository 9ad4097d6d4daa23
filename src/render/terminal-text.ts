import { codeUnitEscape } from '../core/bidi-controls.ts';
import { HIDDEN, HIDDEN_OR_NEWLINE } from '../core/hidden-characters.ts';
import { OWN_STYLE_CODES } from './ansi.ts';

/**
 * `text` with every hidden or terminal-controlling character shown as its `\uXXXX` escape (ESC as
 * `\u001b`), so data prints as what it is. Newlines are escaped too unless `keepNewlines` (for a
 * multi-line message); tabs are kept. Inside a JSON string the escapes are JSON's own: the value is unchanged.
 */
export function visible(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? HIDDEN : HIDDEN_OR_NEWLINE, codeUnitEscape);
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
