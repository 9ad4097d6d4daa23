import { isObject, type JsonValue } from '../core/json.ts';
import { redactShapes } from '../redact/secret-shapes.ts';
import type { Octokit } from './octokit.ts';

/** Request options that address the request rather than carry text to GitHub. */
const ADDRESSING = new Set(['method', 'url', 'baseUrl', 'headers', 'mediaType', 'request', 'owner', 'repo', 'ref', 'sha', 'head_sha', 'query']);

/**
 * Makes every write the client sends to GitHub pass the redaction of credential shapes
 * (src/redact/secret-shapes.ts): comment and issue bodies, check run output, Deployment payloads and
 * statuses. Plans are redacted before they are rendered; this is the last line for what is not a plan
 * (an error message quoting a DSN, a server URL with a password). Reads are left alone. Uses octokit's
 * request hook (https://github.com/octokit/core.js#hooks). Returns the same client.
 */
export function redactWrites(octokit: Octokit): Octokit {
  octokit.hook.before('request', (options) => {
    if (options.method === 'GET' || options.method === 'HEAD') return;
    const fields = options as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) {
      if (!ADDRESSING.has(key)) fields[key] = redactValue(value as JsonValue);
    }
  });
  return octokit;
}

function redactValue(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactShapes(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  return value;
}
