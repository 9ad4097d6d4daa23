import { maxOf } from '../core/arrays.ts';
import { codeUnitEscape, showBidiControls } from '../core/bidi-controls.ts';
import { HIDDEN } from '../core/hidden-characters.ts';

/**
 * A fenced block whose fence is longer than any backtick run inside it, so nothing inside can close it; bidi
 * controls, and the controls a terminal acts on (ESC, CR, BEL, ...: hidden-characters.ts, newlines and tabs
 * kept), shown as `\uXXXX` escapes: `--format markdown` prints the block on a terminal too.
 */
export function fence(language: string, text: string): string {
  const longest = maxOf(Array.from(text.matchAll(/`+/g), (m) => m[0].length), 2);
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${showBidiControls(text.replace(HIDDEN, codeUnitEscape))}\n${ticks}`;
}

export { tableCell } from './markdown-escape.ts';
