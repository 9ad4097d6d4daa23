/**
 * Escaping of user-controlled text (file names, YAML keys and values, cluster names, server messages) by
 * the Markdown context it lands in, so that nothing a pull request's author writes can reshape the bot's
 * comment or check run, or make the bot mention, link or reference anything on the author's behalf.
 * Credentials of a known shape are masked first (plain()), as escaping would hide them from the masking of
 * GitHub writes.
 *
 * Rules followed: CommonMark 0.31 (code spans §6.1, backslash escapes §2.4, entity references §2.5; a
 * line break can start a new block, so every inline value is kept to one line) and GitHub Flavored Markdown
 * (tables §4.10: `\|` inside a cell; autolinks §6.9: `www.`, `http://`, `https://`, e-mail addresses).
 * GitHub turns `@name` into a mention and `#123` / `GH-123` into references everywhere except code, so
 * those are broken with a zero-width space (U+200B) outside code; inside a code span they are inert.
 */

import { maxOf } from '../core/arrays.ts';
import { showBidiControls } from '../core/bidi-controls.ts';
import { redactShapes } from '../redact/secret-shapes.ts';

const ZWSP = '\u200b';

/**
 * One line: line breaks (CR, LF, U+2028/2029, NEL) and other control characters become a space, so a value
 * cannot end the line, list item, quote or table row it sits in.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return showBidiControls(text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, ' '));
}

/**
 * A value as the escapers below take it: one line, its credentials of a known shape masked (secret-shapes.ts).
 * Masked here, before the escaping: GitHub writes pass the same masking (redacting-octokit.ts), but escaped text
 * no longer has the shapes (`https:\u200b//user:pw@\u200bhost`, `ghs\_…`), so an error message quoting a
 * credential would reach GitHub whole.
 */
function plain(text: string): string {
  // After oneLine: a control character it turns into a space can complete a shape (`Bearer\x1ftoken`).
  return redactShapes(oneLine(text));
}

/** Breaks @mentions, #123 / GH-123 references and autolinks (`https://`, `www.`) with U+200B. */
function inert(text: string): string {
  return text
    .replace(/@(?=[\w-])/g, `@${ZWSP}`)
    .replace(/#(?=\d)/g, `#${ZWSP}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    // Every `www.`: GFM links one after `_`, `*`, `~` or `(` too (`a_www.x.com`), where `\b` does not stand.
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/**
 * Plain Markdown text (a paragraph, list item, heading, quote or emphasis): one line; backslash-escaped are
 * the characters that open inline syntax anywhere (emphasis, code, link, image, HTML, entity, table pipe,
 * strikethrough, math) and, at the start, those that open a block (heading, list, quote, setext underline),
 * so the text shows as written; mentions, references and autolinks broken.
 */
export function markdownText(text: string): string {
  return inert(plain(text))
    .replace(/[\\`*_[\]<>|~&$]/g, '\\$&')
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/**
 * A message (a finding's, an apply's failure) as one line of Markdown whose `quoted` parts (single backticks,
 * as fsm-gitops quotes commands and values in plain text) become code spans (markdownCode), and the rest
 * markdownText. Both escape all they hold, so a backtick in a quoted value only moves where code starts.
 */
export function markdownMessage(text: string): string {
  const line = plain(text);
  const parts: string[] = [];
  let last = 0;
  for (const match of line.matchAll(/`([^`]+)`/g)) {
    parts.push(markdownText(line.slice(last, match.index)), markdownCode(match[1]!));
    last = match.index + match[0].length;
  }
  parts.push(markdownText(line.slice(last)));
  return parts.join('');
}

/**
 * An inline code span holding `text` verbatim (one line): the fence is one backtick longer than the longest
 * run inside, and a space pads text that starts or ends with a backtick (CommonMark §6.1 strips one).
 * Mentions and links are inert inside code, so nothing else is changed.
 */
export function markdownCode(text: string): string {
  const line = plain(text);
  const longest = maxOf(Array.from(line.matchAll(/`+/g), (m) => m[0].length), 0);
  const ticks = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || (line.startsWith(' ') && line.endsWith(' ') && line.trim() !== '') ? ' ' : '';
  return `${ticks}${pad}${line}${pad}${ticks}`;
}

/**
 * Text inside an HTML element (`<summary>`, `<b>`, `<code>`) or attribute, where Markdown is not parsed:
 * one line, `& < > " '` as entities, mentions, references and autolinks broken (GitHub still links those in HTML text).
 */
export function htmlText(text: string): string {
  return inert(plain(text)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A GFM table cell: Markdown text whose pipes cannot end the cell. */
export function tableCell(text: string): string {
  return markdownText(text);
}

/** A code span inside a GFM table cell: GFM splits cells before code spans, so a pipe is written `\|` there too. */
export function tableCode(text: string): string {
  return markdownCode(text).replace(/\|/g, '\\|');
}
