import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * GitHub's delivery signature: `x-hub-signature-256: sha256=<64 hex digits>`, the HMAC-SHA256 of the raw
 * body bytes keyed with the webhook secret
 * (https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries).
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** The 32 digest bytes a well-formed header claims, or undefined when the header is missing or malformed (then no body need be read). */
export function claimedDigest(header: string | string[] | undefined): Buffer | undefined {
  const match = typeof header === 'string' ? SIGNATURE.exec(header.trim()) : null;
  return match ? Buffer.from(match[1]!, 'hex') : undefined;
}

/**
 * The HMAC of a body fed chunk by chunk as it arrives (one pass, no copy kept for the check), compared in
 * constant time with the claimed digest at the end.
 */
export class SignatureCheck {
  private readonly hmac;

  constructor(secret: string) {
    this.hmac = createHmac('sha256', secret);
  }

  update(chunk: Buffer | string): this {
    this.hmac.update(chunk);
    return this;
  }

  /** Whether the body fed so far is what `claimed` signs. Call once, after the last chunk. */
  matches(claimed: Buffer): boolean {
    const digest = this.hmac.digest();
    return digest.length === claimed.length && timingSafeEqual(digest, claimed);
  }
}
