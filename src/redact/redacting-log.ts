import { showBidiControls } from '../core/bidi-controls.ts';
import type { JsonValue } from '../core/json.ts';
import { Redactor } from './redactor.ts';

/**
 * The one way a log line leaves the process (the delivery log, the Lambda functions' lines, probot's
 * pino logger through src/github/app-log.ts, `npm start`'s startup messages): each passes the Redactor
 * first. A JSON object line has every value redacted by its key name and its shape (Redactor.value:
 * `authorization`, `token`, `password` … keys; URL credentials, bearer tokens, JWTs, PEM keys, AWS key
 * ids, GitHub tokens); any other line by shape (Redactor.text). Both also mask the process's own secrets
 * (rememberLogSecrets) wherever they appear.
 */
const redactor = new Redactor();

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const TO_STDERR: ReadonlySet<string> = new Set(['warn', 'error', 'fatal']);

/** The process's own credentials (the webhook secret, the App's private key): masked in every later line, whatever their shape. */
export function rememberLogSecrets(secrets: readonly (string | undefined)[]): void {
  redactor.learn('Log', { secrets: secrets.filter((s): s is string => typeof s === 'string' && s.trim() !== '') });
}

/** Free text (an error message, an outcome) as a log may show it. */
export function redactLogText(text: string): string {
  return redactor.text(text);
}

/**
 * A line as it is written: a JSON object redacted value by value (and written compactly), any other text as
 * text. Unicode direction controls become `\u202e` escapes (in a JSON line, the JSON escape of the same
 * character), so a message cannot reorder the line in a terminal or a log viewer.
 */
export function redactLogLine(line: string): { text: string; level?: string } {
  const object = jsonObject(line);
  if (!object) return { text: showBidiControls(redactor.text(line)) };
  const level = typeof object['level'] === 'string' ? object['level'] : undefined;
  return { text: showBidiControls(JSON.stringify(redactor.value('Log', object))), level };
}

/**
 * Writes one line through console (Lambda's runtime tags console lines with the request id): warn,
 * error and fatal JSON lines, and text lines with stream `stderr`, to stderr; the rest to stdout.
 */
export function writeLogLine(line: string, stream?: 'stdout' | 'stderr'): void {
  const { text, level } = redactLogLine(line);
  if ((stream ?? (level && TO_STDERR.has(level) ? 'stderr' : 'stdout')) === 'stderr') console.error(text);
  else console.log(text);
}

/** One structured JSON line: `{"level":…,"msg":…,…fields}`. */
export function logEvent(level: LogLevel, msg: string, fields: Record<string, JsonValue | undefined> = {}): void {
  writeLogLine(JSON.stringify({ level, msg, ...fields }));
}

/** An error as a log or a runtime may show it: its type and its message redacted, no stack, request, response or payload. */
export function redactedError(error: unknown): Error {
  const message = redactor.text(error instanceof Error ? error.message : String(error));
  const redacted = new Error(message);
  redacted.name = error instanceof Error ? error.name : 'Error';
  redacted.stack = `${redacted.name}: ${message}`;
  return redacted;
}

function jsonObject(line: string): Record<string, JsonValue> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, JsonValue>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An error nobody caught (a failed start, a bug) as `prefix: <stack>` on stderr, redacted, then exit 1,
 * instead of Node's report of it, which prints the message as it is.
 */
export function exitOnUncaughtErrors(prefix: string): void {
  process.on('uncaughtException', (error: unknown) => {
    writeLogLine(`${prefix}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 'stderr');
    process.exit(1);
  });
}
