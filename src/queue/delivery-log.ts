import { warningsOf } from '../core/error-warnings.ts';
import { redactLogText, writeLogLine } from '../redact/redacting-log.ts';

/**
 * The app's log of webhook deliveries: one JSON line per delivery taken in (webhook) and per delivery
 * handled or failed (worker, in-process queue), with the same fields on Lambda and on `npm start`:
 *
 *   {"level":"info","msg":"delivery","id":"<x-github-delivery>","event":"pull_request.opened",
 *    "repository":"acme/mesh","outcome":"queued","ms":12}
 *
 * A payload, a comment body or an error object is never logged: only the outcome, as one line of at most
 * MAX_OUTCOME_CHARS characters (control characters and line breaks replaced by spaces), its credentials
 * masked before it is cut (so no half of one is left unmasked), and the whole line written through the
 * redacting log (src/redact/redacting-log.ts).
 */
export interface DeliveryNames {
  /** x-github-delivery; `?` when the delivery had none. */
  id: string;
  /** `name.action` (or `name` when it has no action); `?` when unknown. */
  event: string;
  /** `owner/name`; absent when the delivery is not trusted (a bad signature) or names none. */
  repository?: string;
}

export interface DeliveryLine extends DeliveryNames {
  level: 'info' | 'warn' | 'error';
  outcome: string;
  /** Time from receipt (intake) or from the start of the attempt (handling) to the outcome. */
  ms: number;
  /** Which try this was, when the delivery is retried (1-based). */
  attempt?: number;
}

export const MAX_OUTCOME_CHARS = 500;

/** The line as written: one JSON object, no line breaks. */
export function formatDeliveryLine(line: DeliveryLine): string {
  const outcome = oneLine(redactLogText(line.outcome));
  const { level, id, event, repository, ms, attempt } = line;
  return JSON.stringify({ level, msg: 'delivery', id: oneLine(id), event: oneLine(event), ...(repository ? { repository: oneLine(repository) } : {}), outcome, ms: Math.round(ms), ...(attempt ? { attempt } : {}) });
}

/** Writes the line to stdout (info) or stderr (warn, error), redacted (writeLogLine). */
export function logDelivery(line: DeliveryLine): void {
  writeLogLine(formatDeliveryLine(line));
}

/** An error as an outcome: its message and the warnings it carries (warningsOf), never its request, response or payload. */
export function failureText(error: unknown): string {
  const warnings = warningsOf(error);
  return `${error instanceof Error ? error.message : String(error)}${warnings.length > 0 ? ` (warnings: ${warnings.join('; ')})` : ''}`;
}

/** An error's message as any log line carries it: redacted, one line, at most MAX_OUTCOME_CHARS. */
export function failureLine(error: unknown): string {
  return oneLine(redactLogText(failureText(error)));
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+\s*/g, ' ').trim();
  return flat.length > MAX_OUTCOME_CHARS ? `${flat.slice(0, MAX_OUTCOME_CHARS - 1)}…` : flat;
}
