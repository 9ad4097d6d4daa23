import { MASK } from './mask.ts';
import { CODE_WORDS, opensString, readString, valueStrings } from './code-values.ts';
import { keyWords } from './secret-keys.ts';

/**
 * Credentials that code and configuration text give a name: a PipyJS script of a Plugin, a JSON or YAML
 * document quoted in a message, a connection string. The name is judged by the same rule as a YAML key
 * (secret-keys.ts: `dbPassword`, `Authorization`, `X-Api-Key`, `sessionKey`, and the user's `redact.keys`),
 * so a script and a manifest hide the same things:
 * - an assignment, comparison or hash pair (`password = "x"`, `token := 'x'`, `apiKey === "x"`,
 *   `"password" => "x"`): the strings of its value (code-values.ts: to the statement's end, across lines
 *   while a bracket is open or a line ends in an operator), so `tokens = ["a", "b"]`,
 *   `password = prefix + "x"`, `token = \`x\`` are covered, and so is a fallback after a credential's name
 *   (`os.env.DB_PASSWORD || "x"`, `??`); not a call's arguments inside it (`token = h.split(' ')[1]`), nor
 *   code words (`'true'`, `typeof token === 'string'`);
 * - a key and a string or a list of strings (`"password": "x"`, `apiKeys: ['a', 'b']`, JSON-escaped too);
 * - a setter's string arguments (`setPassword("x")`, `withCredentials('u', 'x')`; not a reader such as
 *   `getCookie('sid')` or `verifyJwt(...)`), and a header set by name (`headers.set('X-Api-Key', 'x')`);
 * - an unquoted value after `=` or `:=` (`Password=x;`, `?access_token=x&`, ODBC's `Pwd={x}`), unless it is
 *   code (`auth=false`, `token = msg.head.headers.authorization`, `token = !token`, `password = prefix + …`);
 *   after a key's colon, one that reads as a credential (`token: 3f9a0c1d…`, as a program prints it);
 * - the later parts of a masked string's concatenation on the next lines (`"••••••"\n  + "x"`);
 * - the strings assigned to a name a credential's value reads (`k` in `Authorization: 'Bearer ' + k`, `token = k`,
 *   `` auth: `Bearer ${k}` ``, `setToken(k)`), wherever the text assigns them (`k = "x"`, `k += "x"`, `k ||= "x"`, a
 *   default parameter, a PipyJS context variable `pipy({ _k: "x" })`), before or after: one step, not `j` in
 *   `k = j`; not another key of that name (`{ value: 'x' }`), which is too often another object's.
 * Linear in the text: every expression starts only where a run of name characters starts, and each
 * statement, list or argument list is read once.
 */
export function redactScriptCredentials(text: string, isSecretName: (name: string) => boolean): string {
  let out = maskNamed(text, isSecretName, credentialAliases(text, isSecretName));
  out = out.replace(UNQUOTED, (match, name: string, op: string, value: string) => (isSecretName(name) && !(isCode(value) || (/\s/.test(op) && readsAsCode(value))) ? `${name}${op}${MASK}` : match));
  out = out.replace(UNQUOTED_KEY, (match, name: string, op: string) => (isSecretName(name) ? `${name}${op}${MASK}` : match));
  out = out.replace(BRACED, (match, name: string, op: string) => (isSecretName(name) ? `${name}${op}${MASK}` : match));
  out = out.replace(COMPARED_BEFORE, (match, quote: string, value: string, op: string, name: string) => (isSecretName(name.slice(name.lastIndexOf('.') + 1)) && !CODE_WORDS.has(value.toLowerCase()) ? `${quote}${MASK}${quote}${op}${name}` : match));
  out = out.replace(FLAG, (match, flag: string, space: string, quote: string | undefined, quoted: string | undefined, bare: string | undefined) =>
    isSecretName(flag) && (quoted !== undefined ? quoted !== '' : !/^[a-z]+$/.test(bare!)) ? `${flag}${space}${quote ?? ''}${MASK}${quote ?? ''}` : match);
  return out.replace(CONCATENATED, (_, quote: string, parts: string) => `${MASK}${quote}${parts.replace(CONCATENATED_PART, `$1${MASK}`)}`);
}

/** A run of name characters (JS identifiers, header and key names), where such a run starts. */
const NAME = String.raw`(?<![\w$-])([\w$-]+)`;
/** The closing quote or bracket of a quoted name, if any (`headers['x-api-key'] =`, `"password": `). */
const NAME_CLOSE = String.raw`(?:\\?["'])?\]?`;
/**
 * What follows a name that may give it a value: an assignment or comparison, a fallback (`os.env.PASSWORD || "x"`), a key's
 * colon, or a call: right after the name, or after spaces when a string is its first argument (`setApiKey ("x")`;
 * `credentials (the …)` is prose).
 */
const NAMED = new RegExp(String.raw`${NAME}(?:${NAME_CLOSE}\s*(:=|\+=|\|\|=|\?\?=|={1,3}|=>|\|\||\?\?|:)|((?:\?\.)?\(|[ \t]+\((?=[ \t]*\\?["'\x60])))`, 'g');
/** `Password=x;`, `?access_token=x&`, `x-db-password = s3cret`: an unquoted value after `=` or `:=`. */
const UNQUOTED = new RegExp(String.raw`${NAME}(${NAME_CLOSE}\s*:?=\s*)(?!••|\\?["'\x60]|[=>[{(])([^\s"'\x60;,&]+)`, 'g');
/** `token: abc123...` (a program's output, YAML in a message): an unquoted value after a key, when it reads as a credential (8 or more characters, a digit among them). */
const UNQUOTED_KEY = new RegExp(String.raw`${NAME}(${NAME_CLOSE}:[ \t]*)(?=[A-Za-z0-9\-._~+/]*\d)[A-Za-z0-9\-._~+/]{8,}=*(?![\w-])`, 'g');
/** An ODBC connection string's braced value, which may hold `;` (`Pwd={a;b}`). */
const BRACED = new RegExp(String.raw`${NAME}(=\{)(?!••)[^{}\n]+(?=\})`, 'g');
/** `"x" === password`, `'x' !== env.API_TOKEN`: a string compared with a credential's name (or a member path ending in one) after it. */
const COMPARED_BEFORE = /(\\?["'\x60])((?:[^"'\x60\\\n•]|\\[^"'\x60\n])+)\1([ \t]*[!=]==?[ \t]*)([A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*)(?![\w$.(\[])/g;
/**
 * A command line's long option and its value after a space (`--password x`, `--api-token "x"`; `--password=x` is
 * UNQUOTED's). A bare value of lowercase letters only is prose or a placeholder (`pass --token as well`) and stays.
 */
const FLAG = /(?<![\w-])(--[A-Za-z][\w-]*)([ \t]+)(?:(["'])((?:(?!\3)[^\\\n])*)\3|(?!••)([^\s"'\x60-][^\s"'\x60]*))/g;
/** A value that is code, not a credential: a literal keyword, a member path (`msg.head.headers.authorization`) or a call. */
const CODE = /^(?:undefined|null|true|false|this)$|^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+[)\]]*$|^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*(?:\?\.)?\(/;
const isCode = (value: string): boolean => value.length <= 1024 && CODE.test(value);
/**
 * With spaces around the `=`, as code is written, more reads as code: a word without digits (`prefix`,
 * `await`), an index or a call on a name (`env['X']`, `h.get(`), a number, a unary expression (`!token`, `-1`), a
 * regular expression (`/^sha256=…/`).
 * A name with digits in it (`s3cret`) or symbols (`p@ss!`) is still taken for a credential.
 */
const readsAsCode = (value: string): boolean => /^(?:[A-Za-z_$]+|[A-Za-z_$][\w$]*(?:\??\.|\[|\().*|[-+!~/].*|\d+(?:\.\d+)?)$/.test(value.slice(0, 1024));
/** A masked string's later parts, each after a `+` (also on the next lines). */
const CONCATENATED = /••••••(\\?["'\x60])((?:\s*\+\s*\\?["'\x60][^"'\x60\\\n]*\\?["'\x60])+)/g;
const CONCATENATED_PART = /(\+\s*\\?["'\x60])[^"'\x60\\\n]*/g;
/** Calls that read or check a credential by a name or value that is not one (`getCookie('sid')`, `verifyJwt('HS256')`). */
const READERS = new Set(['get', 'has', 'is', 'verify', 'validate', 'check', 'require', 'read', 'load', 'fetch', 'find', 'remove', 'delete', 'clear', 'parse', 'decode', 'on', 'handle']);
/** Calls that set a header or entry by name: `headers.set('X-Api-Key', 'x')`. */
const BY_NAME = new Set(['set', 'append', 'add', 'put', 'setheader', 'header']);

/** The assignment, key and call forms above, and assignments to `aliases`. What is read to find a value's end is not read again. */
function maskNamed(text: string, isSecretName: (name: string) => boolean, aliases: ReadonlySet<string>): string {
  const parts: string[] = [];
  let kept = 0;
  for (const match of text.matchAll(NAMED)) {
    const [whole, name, assigned, called] = match as unknown as [string, string, string | undefined, string | undefined];
    const op = assigned ?? called!;
    const valueAt = match.index + whole.length;
    if (valueAt <= kept) continue;
    const call = op.endsWith('(');
    const given = isSecretName(name) || (aliases.has(name) && (ASSIGNING.has(op) || (op === ':' && name.startsWith('_'))));
    const from = call ? callArgumentsFrom(text, valueAt, name, isSecretName) : given ? valueAt : undefined;
    if (from === undefined) continue;
    const { end, strings } = valueStrings(text, from, op === ':' ? 'key' : call ? 'arguments' : 'statement');
    if (end === from) continue;
    let at = kept;
    for (const [start, stop] of strings) {
      parts.push(text.slice(at, start), MASK);
      at = stop;
    }
    parts.push(text.slice(at, end));
    kept = end;
  }
  if (kept === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}

/**
 * Where a call's credential arguments start: all of a setter's (`setPassword(`, `withCredentials(`, not a
 * reader's such as `getCookie(`), or those after a first argument naming a credential (`headers.set('X-Api-Key', `).
 */
function callArgumentsFrom(text: string, from: number, name: string, isSecretName: (name: string) => boolean): number | undefined {
  if (isSecretName(name)) return READERS.has(keyWords(name)[0] ?? '') ? undefined : from;
  if (!BY_NAME.has(name.toLowerCase())) return undefined;
  const first = /^\s*\\?["']([\w-]{1,256})\\?["']\s*,/.exec(text.slice(from, from + 300));
  return first && isSecretName(first[1]!) ? from + first[0].length : undefined;
}

/** Words a value's code is made of that are not the names of values. */
const KEYWORDS = new Set(['await', 'new', 'typeof', 'void', 'delete', 'in', 'of', 'instanceof', 'this', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity', 'function', 'return', 'yield', 'async']);
/** A name that is a whole operand: not a member (`.k`), nor read through (`k.x`, `k[`, `k(`, `k?.`). */
const OPERAND = /(?<![\w$.])[A-Za-z_$][\w$]*(?![\w$]|\s*(?:[.([]|\?\.))/g;
/** A template's interpolation, `${k || ''}`: what it holds (up to a brace, so a run of `${` is read once). */
const INTERPOLATED = /\$\{([^{}]*)\}/g;

/**
 * The operators that give a name its value: what an alias is masked after (not a comparison). A key's colon only
 * for a name that starts with `_`, as PipyJS's context variables do (`pipy({ _token: '…' })`): another key of an
 * alias's name (`{ value: 'staging' }`) is too often another object's.
 */
const ASSIGNING: ReadonlySet<string> = new Set(['=', ':=', '+=', '||=', '??=']);

/**
 * The names whose values a credential's value is made of: the operands of what is assigned to, compared with,
 * keyed by or passed to a credential's name (`'Bearer ' + k`, `k || j`, `` `Bearer ${k || ''}` ``, `(k)`,
 * `setToken(k)`, `headers.set('Authorization', 'Bearer ' + k)`); not what is read through a member, a call or an
 * index (`msg.head`, `hash(salt)`, `env[name]`). Each statement or argument list is read once (as maskNamed
 * reads them), so this is linear in the text too.
 */
function credentialAliases(text: string, isSecretName: (name: string) => boolean): Set<string> {
  const aliases = new Set<string>();
  let kept = 0;
  for (const match of text.matchAll(NAMED)) {
    const [whole, name, assigned, called] = match as unknown as [string, string, string | undefined, string | undefined];
    const valueAt = match.index + whole.length;
    if (valueAt <= kept) continue;
    const from = called !== undefined ? callArgumentsFrom(text, valueAt, name, isSecretName) : isSecretName(name) ? valueAt : undefined;
    if (from === undefined) continue;
    const { end } = valueStrings(text, from, assigned === undefined ? 'arguments' : 'statement');
    kept = end;
    operandNames(text, from, end, aliases);
  }
  return aliases;
}

/**
 * Adds the names of `text[from, end)` that stand as whole operands, outside strings and outside what a call or an
 * index holds (`f(k)`, `a[k]`; a group, a list or an object literal is read), and in a template's `${}`.
 */
function operandNames(text: string, from: number, end: number, into: Set<string>): void {
  const add = (names: string): void => {
    for (const [name] of names.matchAll(OPERAND)) if (!KEYWORDS.has(name) && !CODE_WORDS.has(name)) into.add(name);
  };
  let code = '';
  const blanks: boolean[] = []; // for each bracket open: whether what it holds is blanked (a call's or an index's)
  let blanked = 0;
  let last = '';
  for (let i = from; i < end; ) {
    if (opensString(text, i)) {
      const string = readString(text, i);
      if (blanked === 0 && text[i] === '`') for (const [, inside] of text.slice(string.contentStart, string.contentEnd).matchAll(INTERPOLATED)) add(inside!);
      code += ' ';
      last = '"';
      i = Math.max(string.end, i + 1);
      continue;
    }
    const c = text[i]!;
    if ('([{'.includes(c)) {
      const holdsBlanked = c !== '{' && /[\w$\])]/.test(last);
      code += blanked === 0 ? c : ' ';
      blanks.push(holdsBlanked);
      if (holdsBlanked) blanked++;
    } else if (')]}'.includes(c)) {
      if (blanks.pop()) blanked--;
      code += blanked === 0 ? c : ' ';
    } else {
      code += blanked === 0 ? c : ' ';
    }
    if (!/\s/.test(c)) last = c;
    i++;
  }
  add(code);
}
