import { pino, type Logger } from 'pino';
import { failureLine } from '../queue/delivery-log.ts';
import { writeLogLine, type LogLevel } from '../redact/redacting-log.ts';

/**
 * What probot (and its Octokit and webhooks) log with, on `npm start` and on Lambda: a pino logger
 * whose every line passes the redacting log (src/redact/redacting-log.ts) as one JSON line with a
 * string `level`, like the delivery log's.
 *
 * It never carries a delivery: probot logs `{event}` (the whole payload) when it receives one at debug
 * level, and @octokit/webhooks hangs the delivery on a handler's error, which probot logs; such keys are
 * removed, and an error is logged as its type and redacted message only (no stack, request, response or
 * event). Header fields that hold credentials are removed too, and anything left passes the Redactor.
 */
export function createAppLog(level: LogLevel = 'info'): Logger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: errorSummary, error: errorSummary },
      redact: { paths: [...PAYLOAD_PATHS, ...HEADER_PATHS], remove: true },
    },
    { write: (line: string) => writeLogLine(line.trimEnd()) },
  );
}

/** Where probot, @octokit/webhooks and pino-http put a delivery's payload or body. */
const PAYLOAD_PATHS = ['event', 'payload', 'body', '*.event', '*.payload', '*.body'];
const HEADER_PATHS = ['*.headers.authorization', '*.headers.cookie', '*.headers["x-hub-signature-256"]', '*.headers["x-hub-signature"]', 'headers.authorization'];

/** An error as a log line carries it; an AggregateError (several handlers failed) with each message. */
export function errorSummary(error: unknown): { type: string; message: string; errors?: string[] } {
  const type = error instanceof Error ? error.name : typeof error;
  const errors = error instanceof AggregateError ? error.errors.map(failureLine) : undefined;
  return { type, message: failureLine(error), ...(errors ? { errors } : {}) };
}

/** LOG_LEVEL as pino reads it; anything else is `info`. */
export function logLevelFromEnv(env: Record<string, string | undefined>): LogLevel {
  const level = env['LOG_LEVEL']?.trim().toLowerCase();
  return level === 'trace' || level === 'debug' || level === 'info' || level === 'warn' || level === 'error' || level === 'fatal' ? level : 'info';
}
