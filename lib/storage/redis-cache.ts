import { OutageError } from './fail-closed';
import type { BlacklistCache } from '../types/blacklist-cache';

/** How long one Redis command may take before the cache gives up (and SimpleJWT answers 503). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 1000;

/**
 * The part of a Redis client this cache uses. The official `redis` client's
 * `createClient()` result (v5 or v6) fits it as it is; nothing here imports
 * `redis`, so the package loads without it.
 */
export interface RedisClientLike {
  /** `false` while the client is connecting, reconnecting or closed (the official client has it). */
  readonly isReady?: boolean;
  set(key: string, value: string, options: { expiration: { type: 'EX'; value: number } }): Promise<unknown>;
  exists(key: string): Promise<number>;
  del(key: string): Promise<number>;
}

/** Options of {@link RedisBlacklistCache}. */
export interface RedisBlacklistCacheOptions {
  /** Prepended to every key, e.g. `'myapp:'`, to share one Redis database between apps. Default `''`. */
  keyPrefix?: string;
  /** Upper bound on one command, in milliseconds; past it the promise rejects. Default {@link DEFAULT_REDIS_COMMAND_TIMEOUT_MS}. */
  commandTimeoutMs?: number;
}

/** The rejection of a command Redis could not answer: an outage, which SimpleJWT's failClosed() turns into a 503. */
function unavailable(message: string, cause?: unknown): Error {
  return new OutageError(`passport-simplejwt: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * A {@link BlacklistCache} in Redis, so that a blacklist written through one
 * process is seen by every other at once. Keys are stored with `SET key 1 EX
 * <ttl>`, looked up with `EXISTS` and removed with `DEL`; only positive entries
 * are ever written.
 *
 * Fails closed and never hangs: a client that is not ready (connecting,
 * reconnecting, closed) rejects at once, and every command is bounded by
 * `commandTimeoutMs`, so a Redis outage makes the blacklist checks answer 503
 * instead of queueing requests. The client is the app's: create it, listen to
 * its `'error'` event, `connect()` it, and `close()` it at shutdown.
 *
 * @example
 * import { createClient } from 'redis';
 * import { SimpleJWT, RedisBlacklistCache } from 'passport-simplejwt';
 *
 * const redis = createClient({
 *   url: process.env.REDIS_URL,
 *   disableOfflineQueue: true,                       // reject, don't queue, while reconnecting
 *   socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(retries * 100, 2000) },
 * });
 * redis.on('error', (err) => console.error('redis', err)); // without a listener Node exits on errors
 * await redis.connect();
 *
 * const sj = new SimpleJWT({
 *   signingKey: process.env.JWT_SECRET!,
 *   users, sequelize, apps: { blacklist: true },
 *   cache: new RedisBlacklistCache(redis, { keyPrefix: 'myapp:' }),
 *   cacheBlacklistedRefreshTokens: true,
 * });
 */
export class RedisBlacklistCache implements BlacklistCache {
  readonly client: RedisClientLike;
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;

  constructor(client: RedisClientLike, options: RedisBlacklistCacheOptions = {}) {
    const c = client as Partial<RedisClientLike> | null | undefined;
    if (!c || typeof c.set !== 'function' || typeof c.exists !== 'function' || typeof c.del !== 'function') {
      throw new TypeError("passport-simplejwt: RedisBlacklistCache needs a Redis client (the 'redis' package's createClient() result)");
    }
    const { keyPrefix = '', commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS } = options;
    if (typeof keyPrefix !== 'string') throw new TypeError("passport-simplejwt: RedisBlacklistCache 'keyPrefix' must be a string");
    if (typeof commandTimeoutMs !== 'number' || !Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) {
      throw new TypeError("passport-simplejwt: RedisBlacklistCache 'commandTimeoutMs' must be a positive number of milliseconds");
    }
    this.client = client;
    this.keyPrefix = keyPrefix;
    this.commandTimeoutMs = commandTimeoutMs;
  }

  async has(key: string): Promise<boolean> {
    return (await this.run('EXISTS', () => this.client.exists(this.keyPrefix + key))) > 0;
  }

  async set(key: string, ttlSeconds: number): Promise<void> {
    if (typeof ttlSeconds !== 'number' || Number.isNaN(ttlSeconds)) {
      throw new TypeError('passport-simplejwt: RedisBlacklistCache.set needs a TTL in seconds');
    }
    // Redis' EX takes whole seconds, at least 1; never shorten what was asked for.
    const seconds = Math.max(1, Math.ceil(ttlSeconds));
    await this.run('SET', () => this.client.set(this.keyPrefix + key, '1', { expiration: { type: 'EX', value: seconds } }));
  }

  async delete(key: string): Promise<void> {
    await this.run('DEL', () => this.client.del(this.keyPrefix + key));
  }

  /** Runs one command: rejects at once when the client is not ready, and after `commandTimeoutMs` at most. */
  private run<T>(command: string, send: () => Promise<T>): Promise<T> {
    if (this.client.isReady === false) {
      return Promise.reject(unavailable(`Redis ${command} refused: the client is not ready (connecting, reconnecting or closed)`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(unavailable(`Redis ${command} timed out after ${this.commandTimeoutMs} ms`));
      }, this.commandTimeoutMs);
      let pending: Promise<T>;
      try {
        pending = send();
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(unavailable(`Redis ${command} failed: ${err instanceof Error ? err.message : String(err)}`, err));
        },
      );
    });
  }
}
