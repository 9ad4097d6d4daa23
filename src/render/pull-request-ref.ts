import { tableCell } from './markdown-escape.ts';

/**
 * `owner/name` as GitHub allows it: an owner of letters, digits, hyphens (and `_`, which Enterprise Managed
 * Users' names hold), a name that may add `.`. GitHub autolinks `owner/name#12` to that repository's pull request.
 */
const REPOSITORY = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_.-]+$/;
/** GFM's extended autolink (`www.` after `_`, as in `acme/x_www.evil.com`): such a name is not written as a reference. */
const AUTOLINKS = /www\./i;

/**
 * A pull request as Markdown that links to it (GitHub docs, "Autolinked references and URLs"): `#12` in
 * `repository` itself (or when the record names none), `acme/platform#12` in another. A repository that is not
 * a name GitHub allows, or would autolink as a web address (a record edited by hand), is named as text, without
 * a link: `#12` would point at this repository's pull request 12. Safe in a table cell: a name's `_` is escaped,
 * so `acme/_x_#12` shows as written, not as emphasis (GitHub links references in the rendered text, after escapes).
 */
export function pullRequestRef(pr: number, of: string | undefined, repository: string | undefined): string {
  const number = Number(pr);
  if (of === undefined || of === repository) return `#${number}`;
  const name = String(of);
  return REPOSITORY.test(name) && !AUTOLINKS.test(name) ? `${name.replace(/_/g, '\\_')}#${number}` : `pull request ${number} of ${tableCell(name)}`;
}

/**
 * The same pull request as plain text, for a fenced block or a log line that is escaped where it lands: `#12` in
 * `repository`, `acme/platform#12` in another.
 */
export function pullRequestText(pr: number, of: string | undefined, repository: string | undefined): string {
  const number = Number(pr);
  return of === undefined || of === repository ? `#${number}` : `${String(of)}#${number}`;
}
