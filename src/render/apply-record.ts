import type { ApplyRecord } from '../apply/history.ts';
import { tableCell, tableCode } from './markdown-escape.ts';
import { pullRequestRef } from './pull-request-ref.ts';

/**
 * A record of the apply history as Markdown, safe in a table cell (`/fsm status`) and a list item (the status
 * block): the commit, who, the pull request (with its repository when that is not `repository`), when, and how
 * it ended (a failure that was not wholly undone says the cluster needs attention).
 */
export function describeDeploy(record: ApplyRecord, repository?: string): string {
  const pr = typeof record.pr === 'number' ? `, ${pullRequestRef(record.pr, typeof record.repository === 'string' ? record.repository : undefined, repository)}` : '';
  const result =
    record.result === 'applied'
      ? record.task === 'rollback'
        ? 'applied by a rollback to it'
        : 'applied'
      : record.result === 'rolled-back'
        ? 'failed, rolled back'
        : record.result === 'refused'
          ? 'refused, nothing written'
          : 'failed, not wholly rolled back: the cluster needs attention (see the fsm-deploy-failed issue)';
  return `${tableCode(String(record.commit).slice(0, 7))} by ${tableCell(String(record.actor))}${pr}, ${tableCell(readableTime(String(record.time)))}: ${result}`;
}

/** `2026-12-01 03:45 UTC` from an RFC 3339 time; anything else as it is. */
function readableTime(time: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(time);
  return match ? `${match[1]} ${match[2]} UTC` : time;
}
