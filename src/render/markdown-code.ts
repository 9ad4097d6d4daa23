import { maxOf } from '../core/arrays.ts';
import { showBidiControls } from '../core/bidi-controls.ts';

/** A fenced block whose fence is longer than any backtick run inside it, so nothing inside can close it; bidi controls shown as escapes. */
export function fence(language: string, text: string): string {
  const longest = maxOf(Array.from(text.matchAll(/`+/g), (m) => m[0].length), 2);
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${showBidiControls(text)}\n${ticks}`;
}

export { tableCell } from './markdown-escape.ts';
