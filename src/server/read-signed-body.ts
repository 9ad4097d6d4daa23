import type { IncomingMessage } from 'node:http';
import type { SignatureCheck } from '../queue/webhook-signature.ts';
import { tooLarge } from '../queue/intake.ts';

export type BodyRead = { ok: true; body: Buffer } | { ok: false; status: 400 | 408 | 413; message: string };

/**
 * Reads a request's body once, feeding each chunk to the signature check as it arrives. At most
 * maxBytes are kept: past them reading stops (413), and so it does when the whole body has not arrived
 * within timeoutMs of the start (408: a client trickling bytes holds nothing longer than that). A
 * refused request is left paused, so the socket stops reading; the caller answers and closes it.
 */
export function readSignedBody(request: IncomingMessage, check: SignatureCheck, limits: { maxBytes: number; timeoutMs: number }): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onCut).off('close', onCut);
      if (!result.ok) request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > limits.maxBytes) return finish({ ok: false, status: 413, message: tooLarge(limits.maxBytes) });
      check.update(chunk);
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onCut = (): void => finish({ ok: false, status: 400, message: 'the request was cut off before its body ended' });
    const timer = setTimeout(() => finish({ ok: false, status: 408, message: `the body did not arrive within ${limits.timeoutMs} ms` }), limits.timeoutMs);
    request.on('data', onData).once('end', onEnd).once('error', onCut).once('close', onCut);
  });
}
