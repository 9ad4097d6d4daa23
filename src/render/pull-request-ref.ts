import { tableCell } from './markdown-escape.ts';

/**
 * `owner/name` as GitHub allows it: an owner of letters, digits and hyphens, a name that may add `_` and `.`.
 * GitHub autolinks `owner/name#12` to that repository's pull request.
 */
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/;

/**
 * A pull request as Markdown that links to it (GitHub docs, "Autolinked references and URLs"): `#12` in
 * `repository` itself (or when the record names none), `acme/platform#12` in another. A repository that is not
 * a name GitHub allows (a record edited by hand) is named as text, without a link: `#12` would point at this
 * repository's pull request 12. Safe in a table cell: a name's `_` is escaped, so `acme/_x_#12` shows as written,
 * not as emphasis (GitHub links references in the rendered text, after escapes).
 */
export function pullRequestRef(pr: number, of: string | undefined, repository: string | undefined): string {
  const number = Number(pr);
  if (of === undefined || of === repository) return `#${number}`;
  return REPOSITORY.test(of) ? `${of.replace(/_/g, '\\_')}#${number}` : `pull request ${number} of ${tableCell(of)}`;
}
