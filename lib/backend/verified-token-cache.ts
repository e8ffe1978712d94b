import type { Payload } from '../types/jwt';

/** Most tokens one instance remembers as verified. */
export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 10_000;
/** Longer tokens are verified every time: the cache's memory stays bounded (~20 MB at most). */
export const VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH = 2048;
/** Slots of the record of first sightings (a power of two): 256 KB. */
const SIGHTING_SLOTS = 65_536;
/** Slots of each generation's record of the fingerprints it holds (a power of two): 64 KB. */
const PRESENCE_SLOTS = 65_536;

/** A 32-bit fingerprint of a token from the end of its signature (random to anyone without the key; a collision only admits or delays one entry). */
function fingerprint(token: string): number {
  const n = token.length;
  let h = 0;
  for (let i = Math.max(0, n - 12); i < n; i++) h = (Math.imul(h, 31) + token.charCodeAt(i)) | 0;
  return h;
}

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
  // Which fingerprints each generation may hold: a token whose slot is empty in both is not
  // looked up at all (issue #25: a Map lookup hashes the whole token, and most are misses).
  private currentPrints = new Uint8Array(PRESENCE_SLOTS);
  private previousPrints = new Uint8Array(PRESENCE_SLOTS);
  private readonly generationSize: number;

  constructor(maxEntries = VERIFIED_TOKEN_CACHE_MAX_ENTRIES) {
    this.generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  /** Fingerprints of tokens verified once, by slot: a token is remembered when it comes a second time. */
  private readonly sightings = new Int32Array(SIGHTING_SLOTS);

  /**
   * Remembers the claims of a token verified for the second time (issue #25): most tokens
   * of an API serving many clients are seen once, and remembering each cost a Map insert and
   * kept its claims alive for the garbage collector to move; the first sighting is a number.
   * True when the claims are now remembered (frozen: the caller must hand out a copy).
   */
  admit(token: string, claims: Payload): boolean {
    const print = fingerprint(token);
    const slot = print & (SIGHTING_SLOTS - 1);
    if (this.sightings[slot] !== print) {
      this.sightings[slot] = print;
      return false;
    }
    return this.store(token, claims, print);
  }

  get(token: string): Readonly<Payload> | undefined {
    const slot = fingerprint(token) & (PRESENCE_SLOTS - 1);
    if (this.currentPrints[slot] === 0 && this.previousPrints[slot] === 0) return undefined;
    return this.current.get(token) ?? this.previous.get(token);
  }

  /** Remembers the claims; they must not be changed afterwards (they are frozen). False when the token is too long to be kept. */
  set(token: string, claims: Payload): boolean {
    return this.store(token, claims, fingerprint(token));
  }

  private store(token: string, claims: Payload, print: number): boolean {
    if (token.length > VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH) return false;
    if (this.current.size >= this.generationSize) {
      this.previous = this.current;
      this.current = new Map();
      [this.previousPrints, this.currentPrints] = [this.currentPrints, this.previousPrints.fill(0)];
    }
    this.currentPrints[print & (PRESENCE_SLOTS - 1)] = 1;
    this.current.set(token, Object.freeze(claims));
    return true;
  }

  delete(token: string): void {
    this.current.delete(token);
    this.previous.delete(token);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
