import { redactedError } from '../redact/redacting-log.ts';

/**
 * A Lambda handler whose failures reach the runtime redacted: the runtime logs a thrown error's message
 * and stack as they are, so a setting echoed in a message (a kubeconfig server URL with `user:password@`,
 * a token) would be printed. The rethrown error has the redacted message and no stack frames.
 */
export function withRedactedErrors<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (error) {
      throw redactedError(error);
    }
  };
}
