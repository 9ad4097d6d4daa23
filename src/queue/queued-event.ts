/** A verified webhook delivery as the webhook function puts it on the queue and the worker takes it off. */
export interface QueuedEvent {
  /** x-github-delivery: also the queue's deduplication id. */
  id: string;
  /** x-github-event */
  name: string;
  /** The raw JSON body, exactly as signed. */
  payload: string;
}

/** The events the app acts on (app.yml's default_events); anything else is answered and dropped. */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'check_run', 'issue_comment', 'pull_request_review']);

/** SQS takes messages up to 256 KiB; a larger delivery is refused rather than cut. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
