import type { AppEvent } from '../events/app-event.ts';

/** A verified delivery as the webhook function puts it on the queue and the worker takes it off: the AppEvent itself. */
export type QueuedEvent = AppEvent;

/** SQS takes messages up to 256 KiB; an AppEvent is far smaller (its comment body is capped at 4 KiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Deliveries of one repository are handled in order, one at a time. The group is the repository's numeric
 * id, so it always fits SQS's 128-character MessageGroupId (a full name can be 140 characters).
 */
export function queueGroup(event: QueuedEvent): string {
  return `repo-${event.repository.id}`;
}
