import { visible } from '../core/hidden-characters.ts';
import { OWN_STYLE_CODES } from './ansi.ts';

export { visible };

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
