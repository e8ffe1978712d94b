import type { Payload } from '../types/jwt';

/** Most tokens one instance remembers as verified. */
export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** Longer tokens are verified every time: the cache's memory stays bounded (~20 MB at most). */
export const VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH = 2048;

/**
 * Encoded tokens whose signature, algorithm, audience and issuer were
 * already verified by this instance's static key, with their claims. A
 * client presents one access token many times in its life; the signature
 * need not be checked again, while `exp` and `nbf` still are, on every use.
 * Only successes are stored (an attacker cannot make entries), two
 * generations bound the size, and nothing here is ever trusted for another
 * key.
 */
export class VerifiedTokenCache {
  // Two generations instead of evicting one entry at a time: deleting the
  // oldest key of a Map leaves holes that keys().next() must walk past, which
  // made every miss at capacity slow. Swapping whole maps costs nothing.
  private current = new Map<string, Readonly<Payload>>();
  private previous = new Map<string, Readonly<Payload>>();
  private readonly generationSize: number;

  constructor(maxEntries = VERIFIED_TOKEN_CACHE_MAX_ENTRIES) {
    this.generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  get(token: string): Readonly<Payload> | undefined {
    return this.current.get(token) ?? this.previous.get(token);
  }

  /** Remembers the claims; they must not be changed afterwards (they are frozen). */
  set(token: string, claims: Payload): void {
    if (token.length > VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH) return;
    if (this.current.size >= this.generationSize) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(token, Object.freeze(claims));
  }

  delete(token: string): void {
    this.current.delete(token);
    this.previous.delete(token);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
