import { codeUnitEscape } from '../core/bidi-controls.ts';
import { COMMAND_NAMES, usage, type Command, type CommandName, type RollbackTarget } from './command.ts';
import { didYouMean } from '../core/did-you-mean.ts';

export const PREFIX = '/fsm';

export type ParseResult =
  /** Not addressed to fsm-gitops: say nothing. */
  | { kind: 'not-a-command' }
  | { kind: 'command'; command: Command }
  /** Addressed to fsm-gitops but wrong: reply with the error and the usage. */
  | { kind: 'error'; error: string; usage: string };

const MAX_LINE = 500;
const MAX_WORDS = 20;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Four spaces, or a tab within the first four columns (a tab stops at column 4). */
const INDENTED_CODE = /^(?: {4}| {0,3}\t)/;

/**
 * Reads a PR or issue comment as a `/fsm` command. The whole comment must be one line
 * `/fsm <command> [args]`; blank lines around it and backticks around the line are allowed, a comment of
 * several lines is never a command, nor a line GitHub shows as code (indented by four columns). Once the first word is `/fsm` (or one typo away from it, like `/fms`)
 * every mistake is an error to answer, never silence. Modelled on Atlantis's comment parser.
 */
export function parseComment(body: string): ParseResult {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const content = lines.filter((line) => line.trim() !== '');
  if (content.length !== 1) return { kind: 'not-a-command' };
  // Four columns of indentation make the line an indented code block (CommonMark 4.4): an example, as a fenced one is.
  if (INDENTED_CODE.test(content[0]!)) return { kind: 'not-a-command' };
  const line = stripBackticks(content[0]!.trim());
  const words = line.split(/\s+/).filter((w) => w !== '');
  const [first = '', ...rest] = words;
  if (first !== PREFIX) {
    const nearMiss = first.startsWith('/') && first.length <= PREFIX.length + 2 && didYouMean(first, [PREFIX], 1) !== undefined;
    return nearMiss ? error(`unknown command "${printable(first)}": did you mean "${PREFIX}"?`) : { kind: 'not-a-command' };
  }
  if (line.length > MAX_LINE) return error(`the command is longer than ${MAX_LINE} characters`);
  if (words.length > MAX_WORDS) return error(`too many words (${words.length}); a command has at most ${MAX_WORDS}`);
  const [name, ...args] = rest;
  if (name === undefined) return error('no command given');
  if (!isCommandName(name)) {
    const suggestion = didYouMean(name, COMMAND_NAMES);
    return error(`unknown command "${printable(name)}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`);
  }
  const flags = args.filter((a) => a.startsWith('-'));
  const positional = args.filter((a) => !a.startsWith('-'));
  const unknownFlag = flags.find((f) => f !== '--help' && f !== '-h');
  if (unknownFlag !== undefined) {
    const suggestion = didYouMean(unknownFlag, ['--help']);
    return error(`unknown flag "${printable(unknownFlag)}" for ${name}${suggestion ? `: did you mean "${suggestion}"?` : ` (${name} takes no flags)`}`, name);
  }
  if (flags.length > 0) return { kind: 'command', command: { name: 'help', topic: name } };
  return parseArguments(name, positional);
}

function parseArguments(name: CommandName, args: string[]): ParseResult {
  switch (name) {
    case 'help': {
      if (args.length === 0) return ok({ name });
      const [topic, ...stray] = args;
      if (stray.length > 0) return error(`help takes at most one command; stray ${quoteAll(stray)}`, 'help');
      if (!isCommandName(topic!)) {
        const suggestion = didYouMean(topic!, COMMAND_NAMES);
        return error(`no command "${printable(topic!)}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`, 'help');
      }
      return ok({ name, topic: topic! });
    }
    case 'status':
      return args.length === 0 ? ok({ name }) : error(`status takes no arguments; stray ${quoteAll(args)}`, 'status');
    case 'plan':
    case 'apply':
    case 'unlock': {
      const bad = args.find((a) => !DNS_LABEL.test(a));
      if (bad !== undefined) return error(`"${printable(bad)}" is not an environment name (environment names are lowercase letters, digits and '-')`, name);
      return ok({ name, environments: [...new Set(args)] });
    }
    case 'rollback': {
      if (args.length !== 2) {
        const problem = args.length < 2 ? 'rollback needs an environment and a deployment id or commit SHA' : `stray ${quoteAll(args.slice(2))}`;
        return error(problem, 'rollback');
      }
      const [environment, targetText] = args as [string, string];
      if (!DNS_LABEL.test(environment)) return error(`"${printable(environment)}" is not an environment name`, 'rollback');
      const target = rollbackTarget(targetText);
      if (!target) return error(`"${printable(targetText)}" is neither a deployment id (digits) nor a commit SHA (7 to 40 hex digits)`, 'rollback');
      return ok({ name, environment, target });
    }
  }
}

function rollbackTarget(text: string): RollbackTarget | undefined {
  if (/^[0-9]{7,40}$/.test(text)) return Number.isSafeInteger(Number(text)) ? { kind: 'deployment', id: Number(text), sha: text } : { kind: 'sha', sha: text };
  if (/^[0-9]{1,6}$/.test(text)) return { kind: 'deployment', id: Number(text) };
  if (/^[0-9a-fA-F]{7,40}$/.test(text)) return { kind: 'sha', sha: text.toLowerCase() };
  return undefined;
}

/** `` `/fsm plan` `` and ```` ```/fsm plan``` ```` are the same command as `/fsm plan`. */
function stripBackticks(line: string): string {
  // By hand: `^(`+)([^`]*)\1$` tried every split of a long run of backticks against the rest (quadratic).
  let ticks = 0;
  while (line[ticks] === '`') ticks++;
  if (ticks === line.length) return ticks >= 2 && ticks % 2 === 0 ? '' : line;
  const inner = line.slice(ticks, line.length - ticks);
  return ticks > 0 && line.length >= 2 * ticks && line.endsWith('`'.repeat(ticks)) && !inner.includes('`') ? inner.trim() : line;
}

function isCommandName(word: string): word is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(word);
}

function ok(command: Command): ParseResult {
  return { kind: 'command', command };
}

function error(message: string, topic?: CommandName): ParseResult {
  return { kind: 'error', error: message, usage: usage(topic) };
}

/** A word from the comment as it may appear in a reply: printable ASCII (anything else as `\uXXXX`), at most 40 characters. */
export function printable(word: string): string {
  // Commands, flags and environment names (DNS labels) are ASCII: any other character, invisible, a control or
  // a look-alike letter (Cyrillic `а` in `аpply`), is named (`\u0430pply`), so the reader sees what is wrong.
  const clean = word.replace(/[^\u0020-\u007e]/g, codeUnitEscape);
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

function quoteAll(words: string[]): string {
  return words.map((w) => `"${printable(w)}"`).join(', ');
}
