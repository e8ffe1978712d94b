import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ServiceUnavailable } from './errors';

/** Seconds a fetched key set is trusted before it is fetched again (as jwks-rsa's cacheMaxAge). */
export const JWKS_CACHE_MAX_AGE = 10 * 60;
/** Seconds after a fetch during which an unknown `kid` does not fetch again (as jose's cooldown): no amplification. */
export const JWKS_COOLDOWN = 30;
/** Milliseconds a key set request may take before the key server counts as down. */
export const JWKS_TIMEOUT_MS = 5000;

/**
 * The verifying keys of `jwkUrl`, fetched with `jwks-rsa` and kept as
 * `KeyObject`s. `resolve()` is synchronous (the backend calls it while
 * decoding); `prepare()` fetches the set when a token's key is not known.
 * A key server that fails rejects with `ServiceUnavailable` (fail closed).
 */
export class JwksKeyProvider {
  private byKid = new Map<string, KeyObject>();
  private all: KeyObject[] = [];
  private fetchedAt: number | null = null;
  private pending: Promise<void> | null = null;
  private readonly client: JwksClient;
  private readonly now: () => Date;

  constructor(url: string, now: () => Date = () => new Date()) {
    // Caching is ours (on the instance's clock); jwks-rsa fetches and parses.
    this.client = new JwksClient({ jwksUri: url, cache: false, rateLimit: false, timeout: JWKS_TIMEOUT_MS });
    this.now = now;
  }

  /** The cached key for a token header, or undefined (unknown kid, or the set is stale). */
  resolve(header: jwt.JwtHeader): KeyObject | undefined {
    if (this.fetchedAt === null || this.now().getTime() - this.fetchedAt >= JWKS_CACHE_MAX_AGE * 1000) return undefined;
    if (typeof header.kid === 'string') return this.byKid.get(header.kid);
    // No kid: only an unambiguous set of one key will do (as jwks-rsa).
    return header.kid === undefined && this.all.length === 1 ? this.all[0] : undefined;
  }

  /** Fetches the key set unless the token's key is cached or a fetch just happened. */
  async prepare(token: string): Promise<void> {
    let header: jwt.JwtHeader | undefined;
    try {
      header = jwt.decode(token, { complete: true })?.header;
    } catch {
      return; // not a JWT: decoding will refuse it
    }
    if (!header || this.resolve(header)) return;
    if (this.fetchedAt !== null && this.now().getTime() - this.fetchedAt < JWKS_COOLDOWN * 1000) return;
    this.pending ??= this.fetch().finally(() => {
      this.pending = null;
    });
    await this.pending;
  }

  private async fetch(): Promise<void> {
    let keys: Awaited<ReturnType<JwksClient['getSigningKeys']>>;
    try {
      keys = await this.client.getSigningKeys();
    } catch (err) {
      throw new ServiceUnavailable(undefined, err);
    }
    const byKid = new Map<string, KeyObject>();
    const all: KeyObject[] = [];
    for (const key of keys) {
      const object = createPublicKey(key.getPublicKey());
      all.push(object);
      if (typeof key.kid === 'string') byKid.set(key.kid, object);
    }
    this.byKid = byKid;
    this.all = all;
    this.fetchedAt = this.now().getTime();
  }
}
