/** The strings of a value (valueStrings). */
export interface ValueStrings {
  /** Where the value ends (exclusive). */
  end: number;
  /** The contents of the strings to mask, `[start, end)`: not empty, and not a code word (`'true'`, `'string'`). */
  strings: [number, number][];
}

export type ValueMode = 'statement' | 'arguments' | 'key';

/** A line that ends in one of these goes on: `password =\n  "x"`, `token = a +\n  "b"`. */
const CONTINUES = new Set(['=', '+', '-', '*', '/', '|', '&', '?', ':', ',', '(', '[', '{', '>', '<', '!']);
/** Strings that are code, not credentials: a switch's value, a type name from `typeof`. */
export const CODE_WORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'undefined', 'none', 'string', 'number', 'boolean', 'object', 'function', 'bigint', 'symbol']);
const OPEN = '([{';
const CLOSE = ')]}';

/**
 * The string literals of a value in code or quoted text, found in one pass from where the value starts:
 * quotes of any kind (`"`, `'`, a template's backtick, also JSON-escaped `\"`), escapes inside them
 * (`"it\'s"`, `"\u0048"`), brackets, and a statement that goes on past a line break while a bracket is
 * open or its line ends in an operator (`=`, `+`, `||`, `,` …). Not a parser: it reads what is needed to
 * tell a value's strings, in any text (a script, a message, JSON), and never fails.
 *
 * - `statement`: to its end (`;`, `,` or a line end outside brackets, or a bracket it did not open); the
 *   strings inside a call's parentheses are a call's arguments (`split(' ')`, `get("db")`), not the value;
 *   in every mode, those of an index (`env['AWS_SECRET']`) are names, not values;
 * - `arguments`: from just inside `(` to its matching `)`: every string;
 * - `key`: one string, or a bracketed list of them; nothing when the value is neither.
 */
export function valueStrings(text: string, from: number, mode: ValueMode): ValueStrings {
  const strings: [number, number][] = [];
  let depth = mode === 'arguments' ? 1 : 0;
  // The brackets open since the value started, each whether its strings are not the value's: an index
  // (`env['X']`, after a name), or in a statement, a call's arguments (`h.split(' ')`).
  const aside: boolean[] = [];
  let asideOpen = 0; // how many of them are aside: a string is the value's when none is
  let last = ''; // the last character outside strings that is not white space
  let i = from;
  if (mode === 'key') {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== '[' && !opensString(text, i)) return { end: from, strings };
  }
  while (i < text.length) {
    const c = text[i]!;
    if (opensString(text, i)) {
      const string = readString(text, i);
      const content = text.slice(string.contentStart, string.contentEnd);
      if (asideOpen === 0 && content !== '' && !CODE_WORDS.has(content)) strings.push([string.contentStart, string.contentEnd]);
      i = string.end;
      last = '"';
      if (mode === 'key' && depth === 0) return { end: i, strings };
      continue;
    }
    if (OPEN.includes(c)) {
      depth++;
      const afterName = /[\w$\])]/.test(last);
      const isAside = (c === '[' && afterName) || (c === '(' && mode === 'statement');
      aside.push(isAside);
      if (isAside) asideOpen++;
    } else if (CLOSE.includes(c)) {
      if (depth === 0) return { end: i, strings }; // closes something the value is inside of
      depth--;
      if (aside.pop()) asideOpen--;
      if (depth === 0 && mode !== 'statement') return { end: i + 1, strings };
    } else if (depth === 0 && (c === ';' || c === ',')) {
      return { end: i, strings };
    } else if (c === '\n' && (mode === 'key' ? depth === 0 : depth === 0 && last !== '' && !CONTINUES.has(last))) {
      return { end: i, strings };
    }
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') last = c;
    i++;
  }
  return { end: i, strings };
}

/** Whether a string starts at `at`: a quote, or a JSON-escaped quote (`\"`, `\'`); not an apostrophe inside a word (`App's`). */
export function opensString(text: string, at: number): boolean {
  const c = text[at];
  if (c === "'") return !/[A-Za-z0-9]/.test(text[at - 1] ?? '');
  return c === '"' || c === '`' || (c === '\\' && (text[at + 1] === '"' || text[at + 1] === "'"));
}

/**
 * The string from its opening quote at `at`: its contents and where it ends. It closes at the same quote (the
 * same escaped quote, for one opened escaped); a backslash escapes the next character; a line break ends one
 * that is not a template (a message may cut a string short).
 */
export function readString(text: string, at: number): { contentStart: number; contentEnd: number; end: number } {
  const escaped = text[at] === '\\';
  const quote = text[escaped ? at + 1 : at]!;
  const contentStart = at + (escaped ? 2 : 1);
  for (let i = contentStart; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (escaped && text[i + 1] === quote) return { contentStart, contentEnd: i, end: i + 2 };
      i++;
      continue;
    }
    if (c === quote && !escaped) return { contentStart, contentEnd: i, end: i + 1 };
    if (c === '\n' && quote !== '`') return { contentStart, contentEnd: i, end: i };
  }
  return { contentStart, contentEnd: text.length, end: text.length };
}
