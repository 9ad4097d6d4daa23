import { redactShapes } from '../redact/secret-shapes.ts';
import { cutMarkdown } from './markdown-cut.ts';

/**
 * GitHub's documented field limits: a value past them is refused with 422 (and the review, comment or issue
 * that carried it is lost), so every such field is cut to fit, saying it was cut. Lengths are JavaScript
 * string lengths (UTF-16 code units), never fewer than the characters GitHub counts.
 *
 * - check run `output.summary`, `output.text`: 65,535 characters (https://docs.github.com/rest/checks/runs);
 * - check run `output.title`: no documented limit; held to the annotation title's 255;
 * - annotation `title`: 255 characters; `message` and `raw_details`: 64 KB; 50 annotations per request;
 * - issue and comment `body`: 65,536 characters (GitHub's 422 "body is too long (maximum is 65536
 *   characters)", https://docs.github.com/rest/issues); issue `title`: 256 characters;
 * - deployment and deployment status `description`: 140 characters (https://docs.github.com/rest/deployments).
 */
export const CHECK_TEXT_LIMIT = 65_535;
export const CHECK_TITLE_LIMIT = 255;
export const ANNOTATION_TITLE_LIMIT = 255;
export const ANNOTATION_MESSAGE_BYTES = 64 * 1024;
export const COMMENT_BODY_LIMIT = 65_536;
export const ISSUE_TITLE_LIMIT = 256;
export const DEPLOYMENT_STATUS_DESCRIPTION_LIMIT = 140;

/** A check run's summary or text (Markdown), cut on structure: see cutMarkdown. */
export function limitCheckText(markdown: string): string {
  return cutMarkdown(unshapedIfCut(markdown, CHECK_TEXT_LIMIT), CHECK_TEXT_LIMIT);
}

/** An issue or comment body (Markdown), cut on structure: see cutMarkdown. */
export function limitCommentBody(markdown: string): string {
  return cutMarkdown(unshapedIfCut(markdown, COMMENT_BODY_LIMIT), COMMENT_BODY_LIMIT);
}

/**
 * `text` with its credentials of a known shape masked (secret-shapes.ts) when it is longer than `limit`, else as
 * it is: a cut can fall inside a credential, and what is left of it (`https://admin:hunter2`, a token's first 20
 * characters) no longer has the shape the masking of GitHub writes looks for. Uncut, that masking sees it whole.
 */
function unshapedIfCut(text: string, limit: number): string {
  return text.length > limit ? redactShapes(text) : text;
}

export function limitCheckTitle(text: string): string {
  return clip(text.replace(/\s+/g, ' '), CHECK_TITLE_LIMIT);
}

export function limitAnnotationTitle(text: string): string {
  return clip(text.replace(/\s+/g, ' '), ANNOTATION_TITLE_LIMIT);
}

export function limitIssueTitle(text: string): string {
  return clip(text.replace(/\s+/g, ' '), ISSUE_TITLE_LIMIT);
}

export function limitStatusDescription(text: string): string {
  return clip(text.replace(/\s+/g, ' '), DEPLOYMENT_STATUS_DESCRIPTION_LIMIT);
}

/** An annotation's message (plain text), at most 64 KB as UTF-8, cut on a character. */
export function limitAnnotationMessage(message: string): string {
  if (Buffer.byteLength(message) <= ANNOTATION_MESSAGE_BYTES) return message;
  const text = redactShapes(message);
  if (Buffer.byteLength(text) <= ANNOTATION_MESSAGE_BYTES) return text;
  const ellipsis = '\n…(truncated)';
  let cut = Buffer.from(text).subarray(0, ANNOTATION_MESSAGE_BYTES - Buffer.byteLength(ellipsis)).toString('utf8');
  if (cut.endsWith('\ufffd')) cut = cut.slice(0, -1); // a character the cut split
  return `${cut}${ellipsis}`;
}

/**
 * Plain text at most `limit` characters, ending in `…` when cut (never inside a surrogate pair), its credentials
 * of a known shape masked first (unshapedIfCut). For raw text (an error message, a path) before it is escaped into
 * Markdown: cutting escaped Markdown could split an escape or a code span.
 */
export function clip(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const text = unshapedIfCut(value, limit);
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
