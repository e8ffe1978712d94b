import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { RedisBlacklistCache, ServiceUnavailable, type RedisClientLike } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';
import { rejectionOf, useRedisPrefix } from '../../helpers/redis';

/**
 * What RedisBlacklistCache promises beyond set / has / delete: the clients it
 * refuses, the TTLs it refuses, what it writes, and that a client throwing
 * instead of rejecting is an outage like any other (503, never a 500).
 */
describe('RedisBlacklistCache: the contract around the commands', function () {
  const state = useRedisPrefix();

  /** The three commands of the real client, bound, as an adapter would pass them. */
  function commandsOf(redis: RedisClientLike): RedisClientLike {
    return { set: (k, v, o) => redis.set(k, v, o), exists: (k) => redis.exists(k), del: (k) => redis.del(k) };
  }

  describe('construction: a client missing any one of the three commands is refused', function () {
    for (const missing of ['set', 'exists', 'del'] as const) {
      it(`a client without ${missing}()`, function () {
        const partial: Partial<RedisClientLike> = commandsOf(state.redis);
        delete partial[missing];
        expect(() => new RedisBlacklistCache(partial as RedisClientLike)).to.throw(TypeError, /^passport-simplejwt: RedisBlacklistCache needs a Redis client/);
      });

      it(`a client whose ${missing} is not a function`, function () {
        const wrong = { ...commandsOf(state.redis), [missing]: 'yes' } as unknown as RedisClientLike;
        expect(() => new RedisBlacklistCache(wrong)).to.throw(TypeError, /needs a Redis client/);
      });
    }
  });

  describe('set(): a TTL that is not a number is refused before anything is written', function () {
    for (const bad of ['60', undefined, null, Number.NaN]) {
      it(`ttl ${String(bad)} (${typeof bad})`, async function () {
        const cache = new RedisBlacklistCache(state.redis, { keyPrefix: state.prefix });
        const { error } = await rejectionOf(cache.set('k', bad as number));
        expect(error).to.be.instanceOf(TypeError);
        expect((error as Error).message).to.equal('passport-simplejwt: RedisBlacklistCache.set needs a TTL in seconds');
        expect(await state.redis.exists(`${state.prefix}k`)).to.equal(0);
      });
    }
  });

  it("writes the documented SET <prefix><key> 1 EX <ttl>: the value is '1'", async function () {
    const cache = new RedisBlacklistCache(state.redis, { keyPrefix: state.prefix });
    await cache.set('sjwt_brt:abc', 60);
    expect(await state.redis.get(`${state.prefix}sjwt_brt:abc`)).to.equal('1');
  });

  describe('a client that throws instead of rejecting', function () {
    function throwing(): RedisClientLike {
      const boom = () => {
        throw new Error('socket closed');
      };
      return { set: boom, exists: boom, del: boom };
    }

    it('each command rejects with the outage error, the thrown error as its cause', async function () {
      const cache = new RedisBlacklistCache(throwing());
      for (const [command, op] of [
        ['EXISTS', () => cache.has('k')],
        ['SET', () => cache.set('k', 60)],
        ['DEL', () => cache.delete('k')],
      ] as const) {
        const { error } = await rejectionOf(op());
        expect((error as Error).name).to.equal('OutageError');
        expect((error as Error).message).to.equal(`passport-simplejwt: Redis ${command} failed: socket closed`);
        expect(((error as Error).cause as Error).message).to.equal('socket closed');
      }
    });

    it('through SimpleJWT: the blacklist check answers ServiceUnavailable (503), not a 500', async function () {
      const { sj } = makeSJ({
        sequelize: new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false }),
        apps: { blacklist: true },
        cache: new RedisBlacklistCache(throwing()),
        cacheBlacklistedRefreshTokens: true,
      });
      const { error } = await rejectionOf(sj.revocation.isBlacklisted('a'.repeat(32)));
      expect(error).to.be.instanceOf(ServiceUnavailable);
    });
  });

  it('a refusal with nothing underneath (client not ready) carries no cause', async function () {
    const cache = new RedisBlacklistCache({ ...commandsOf(state.redis), isReady: false });
    const { error } = await rejectionOf(cache.has('k'));
    expect((error as Error).message).to.match(/not ready/);
    // Not even an own `cause: undefined`, which loggers print as "[cause]: undefined".
    expect(Object.hasOwn(error as Error, 'cause')).to.equal(false);
  });
});
