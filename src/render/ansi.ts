/** The few ANSI styles the text renderer uses. (util.styleText checks process.stdout itself, which the CLI's caller decides.) */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof CODES;

export function ansi(style: Style, text: string): string {
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Exactly the sequences `ansi` writes, as one capturing group: what terminal-text.ts lets through. */
export const OWN_STYLE_CODES = new RegExp(`(\\u001b\\[(?:${[...new Set(Object.values(CODES).flat())].join('|')})m)`);
