/**
 * The "Redis cache" run of the suite: with TEST_BLACKLIST_CACHE=redis, every
 * SimpleJWT the test helpers build (`makeSJ`) gets a RedisBlacklistCache on
 * one shared client, under a key prefix of its own, with both blacklist
 * caches on (unless the test sets them), so every stateful test also runs
 * through Redis. A mocha root-hook plugin (see .mocharc.json): it connects
 * before the first test and removes its keys after the last. Without the
 * variable it does nothing.
 *
 *   TEST_BLACKLIST_CACHE=redis TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_iN npm test
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisBlacklistCache, type SimpleJWTOptions } from '../../lib';

/** Whether this run puts the blacklist cache in Redis. */
export const REDIS_CACHE_RUN = process.env.TEST_BLACKLIST_CACHE?.trim().toLowerCase() === 'redis';

const RUN_PREFIX = `sjwt-test-run:${randomBytes(6).toString('hex')}:`;
const newClient = (url: string) => createClient({ url, socket: { connectTimeout: 5000 } });
let client: ReturnType<typeof newClient> | undefined;
let instances = 0;

/**
 * The cache options a helper-built SimpleJWT gets in this run (none in the
 * others): a Redis cache under a fresh prefix and both cache settings on,
 * each only where the test did not choose its own.
 */
export function redisCacheOptions<U>(options: Partial<SimpleJWTOptions<U>>): Partial<SimpleJWTOptions<U>> {
  // A test that names `cache` (even as undefined, for the default in-memory one on its frozen clock) keeps it.
  if (!REDIS_CACHE_RUN || 'cache' in options) return {};
  if (!client?.isReady) {
    throw new Error('TEST_BLACKLIST_CACHE=redis: the Redis client is not connected (is test/helpers/redis-blacklist-cache.ts in .mocharc.json "require"?)');
  }
  instances += 1;
  return {
    cache: new RedisBlacklistCache(client, { keyPrefix: `${RUN_PREFIX}${instances}:` }),
    cacheBlacklistedRefreshTokens: options.cacheBlacklistedRefreshTokens ?? true,
    cacheBlacklistedFamilies: options.cacheBlacklistedFamilies ?? true,
  };
}

/** Mocha root hooks: connect once for the whole run, and clean up this run's keys at the end. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    if (!REDIS_CACHE_RUN || client) return;
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const c = newClient(url);
    c.on('error', () => {
      /* reported through the commands' rejections */
    });
    try {
      await c.connect();
    } catch (err) {
      throw new Error(`TEST_BLACKLIST_CACHE=redis needs Redis at ${url}: ${(err as Error).message}`);
    }
    client = c;
    console.log(`      (blacklist cache: Redis at ${url}, keys under ${RUN_PREFIX})`);
  },
  async afterAll(): Promise<void> {
    const c = client;
    client = undefined;
    if (!c) return;
    if (c.isReady) {
      const keys: string[] = [];
      for await (const batch of c.scanIterator({ MATCH: `${RUN_PREFIX}*`, COUNT: 1000 })) keys.push(...batch);
      for (let i = 0; i < keys.length; i += 500) await c.del(keys.slice(i, i + 500));
    }
    c.destroy();
  },
};
