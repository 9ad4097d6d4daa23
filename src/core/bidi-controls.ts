/**
 * The direction marks (U+061C, U+200E, U+200F), embeddings, overrides and isolates of the Unicode bidirectional algorithm (UAX #9)
 * shown as their `\uXXXX` escapes, as the terminal output shows them (and the logs): raw, an unterminated U+202E reorders
 * the rest of its line in the comment, so `before → after` can read as something else (CVE-2021-42574,
 * "Trojan Source"). For inline text and fenced blocks alike.
 */
export function showBidiControls(text: string): string {
  return text.replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, codeUnitEscape);
}

/** A character as its JavaScript escape, one UTF-16 code unit: `\u202e`, `\u0430`. */
export function codeUnitEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
