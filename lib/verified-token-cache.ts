import type { Payload } from './backend';

/** Most tokens one instance remembers as verified. */
export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** Longer tokens are verified every time: the cache's memory stays bounded (~20 MB at most). */
export const VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH = 2048;

/**
 * Encoded tokens whose signature, algorithm, audience and issuer were
 * already verified by this instance's static key, with their claims. A
 * client presents one access token many times in its life; the signature
 * need not be checked again, while `exp` and `nbf` still are, on every use.
 * Only successes are stored (an attacker cannot make entries), insertion
 * order bounds the size, and nothing here is ever trusted for another key.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Readonly<Payload>>();

  constructor(private readonly maxEntries = VERIFIED_TOKEN_CACHE_MAX_ENTRIES) {}

  get(token: string): Readonly<Payload> | undefined {
    return this.entries.get(token);
  }

  set(token: string, claims: Payload): void {
    if (token.length > VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, Object.freeze(Object.assign(Object.create(null), claims) as Payload));
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
