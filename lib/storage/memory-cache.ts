import type { BlacklistCache } from '../types/blacklist-cache';

/** Upper bound on remembered keys, so a flood of blacklists cannot grow memory without end. */
export const MEMORY_CACHE_MAX_ENTRIES = 100_000;

/**
 * The default {@link BlacklistCache}: a bounded map in this process. Use the
 * Redis adapter when several processes share a database.
 *
 * @example
 * new SimpleJWT({ ..., cache: new MemoryBlacklistCache({ now: () => clock.now() }) });
 */
export class MemoryBlacklistCache implements BlacklistCache {
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(options: { now?: () => Date; maxEntries?: number } = {}) {
    const clock = options.now;
    this.now = clock ? () => clock().getTime() : Date.now;
    this.maxEntries = options.maxEntries ?? MEMORY_CACHE_MAX_ENTRIES;
  }

  async has(key: string): Promise<boolean> {
    const expires = this.entries.get(key);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.entries.delete(key);
      return false;
    }
    return true;
  }

  async set(key: string, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      // Evict the oldest insertion; the database stays the source of truth.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, this.now() + ttlSeconds * 1000);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
