/**
 * Where blacklisted jtis and families are remembered between database reads
 * (Simple JWT's `SJWT_CACHE_NAME`). Only positive entries are stored: "is
 * blacklisted" can be cached, "is not" never is, so a blacklist written by
 * another process is never hidden by this cache.
 *
 * @example
 * const sj = new SimpleJWT({ ..., cache: new MemoryBlacklistCache(), cacheBlacklistedRefreshTokens: true });
 */
export interface BlacklistCache {
  /** Whether `key` is present (and not expired). */
  has(key: string): Promise<boolean>;
  /** Stores `key` for `ttlSeconds`. */
  set(key: string, ttlSeconds: number): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
}
