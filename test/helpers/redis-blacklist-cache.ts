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
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const newClient = () => createClient({ url: REDIS_URL, socket: { connectTimeout: 5000 } });
let client: ReturnType<typeof newClient> | undefined;
let connecting: Promise<unknown> | undefined;
let instances = 0;

/** The run's client, connecting from the first call on (suites may build a SimpleJWT while mocha loads them). */
function sharedClient(): ReturnType<typeof newClient> {
  if (!client) {
    const c = newClient();
    c.on('error', () => {
      /* reported through the commands' rejections */
    });
    client = c;
    connecting = c.connect();
    connecting.catch(() => {}); // awaited, and reported, by beforeAll
  }
  return client;
}

/**
 * The cache options a helper-built SimpleJWT gets in this run (none in the
 * others): a Redis cache under a fresh prefix and both cache settings on,
 * each only where the test did not choose its own.
 */
export function redisCacheOptions<U>(options: Partial<SimpleJWTOptions<U>>): Partial<SimpleJWTOptions<U>> {
  // A test that names `cache` (even as undefined, for the default in-memory one on its frozen clock) keeps it.
  if (!REDIS_CACHE_RUN || 'cache' in options) return {};
  instances += 1;
  return {
    // A generous command timeout: this run tests the cache's role, not its outage behaviour (redis-cache.test.ts does).
    cache: new RedisBlacklistCache(sharedClient(), { keyPrefix: `${RUN_PREFIX}${instances}:`, commandTimeoutMs: 10_000 }),
    cacheBlacklistedRefreshTokens: options.cacheBlacklistedRefreshTokens ?? true,
    cacheBlacklistedFamilies: options.cacheBlacklistedFamilies ?? true,
  };
}

/** Mocha root hooks: connected before the first test, this run's keys removed after the last. */
export const mochaHooks = {
  async beforeAll(): Promise<void> {
    if (!REDIS_CACHE_RUN) return;
    sharedClient();
    try {
      await connecting;
    } catch (err) {
      throw new Error(`TEST_BLACKLIST_CACHE=redis needs Redis at ${REDIS_URL}: ${(err as Error).message}`);
    }
    console.log(`      (blacklist cache: Redis at ${REDIS_URL}, keys under ${RUN_PREFIX})`);
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
