import { expect } from 'chai';
import { MEMORY_CACHE_MAX_ENTRIES } from '../../../lib/storage/memory-cache';
import { MemoryBlacklistCache } from '../../../lib';
import { Clock, makeSJ } from '../../helpers/fixtures';

describe('MemoryBlacklistCache', function () {
  let clock: Clock;
  let cache: MemoryBlacklistCache;

  beforeEach(function () {
    clock = new Clock();
    cache = new MemoryBlacklistCache({ now: clock.now });
  });

  describe('set / has / delete', function () {
    it('has() is false for a key never set', async function () {
      expect(await cache.has('sjwt_brt:nothing')).to.equal(false);
    });

    it('set() then has() is true, delete() then has() is false', async function () {
      await cache.set('sjwt_brt:abc', 60);
      expect(await cache.has('sjwt_brt:abc')).to.equal(true);
      expect(await cache.has('sjwt_brt:abd')).to.equal(false);
      await cache.delete('sjwt_brt:abc');
      expect(await cache.has('sjwt_brt:abc')).to.equal(false);
    });

    it('delete() of a missing key resolves and leaves the other keys as they were', async function () {
      await cache.set('kept', 60);
      expect(await cache.delete('never-set')).to.equal(undefined);
      expect(await cache.has('never-set')).to.equal(false);
      expect(await cache.has('kept')).to.equal(true);
    });

    it('two instances do not share entries (one process each: use Redis to share)', async function () {
      const other = new MemoryBlacklistCache({ now: clock.now });
      await cache.set('k', 60);
      expect(await other.has('k')).to.equal(false);
    });
  });

  describe('ttl, on the injected clock', function () {
    it('an entry lives for its ttl and is gone at the ttl', async function () {
      await cache.set('k', 60);
      clock.advance(59);
      expect(await cache.has('k')).to.equal(true);
      clock.advance(1);
      expect(await cache.has('k')).to.equal(false);
    });

    it('set() again renews the ttl', async function () {
      await cache.set('k', 60);
      clock.advance(50);
      await cache.set('k', 60);
      clock.advance(50);
      expect(await cache.has('k')).to.equal(true);
    });

    it('an expired entry stays gone when the clock is moved back (it was dropped)', async function () {
      await cache.set('k', 1);
      clock.advance(2);
      expect(await cache.has('k')).to.equal(false);
      clock.advance(-2);
      expect(await cache.has('k')).to.equal(false);
    });

    it("SimpleJWT's default cache reads the instance's clock", async function () {
      const { sj, clock: sjClock } = makeSJ({ cache: undefined }); // the default, also in the Redis cache run
      expect(sj.cache).to.be.instanceOf(MemoryBlacklistCache);
      await sj.cache.set('sjwt_brt:x', 3600);
      sjClock.advance(3599);
      expect(await sj.cache.has('sjwt_brt:x')).to.equal(true);
      sjClock.advance(1);
      expect(await sj.cache.has('sjwt_brt:x')).to.equal(false);
    });
  });

  describe('bounded size', function () {
    it('defaults to MEMORY_CACHE_MAX_ENTRIES', function () {
      expect(MEMORY_CACHE_MAX_ENTRIES).to.equal(100_000);
    });

    it('evicts the oldest entry once maxEntries is reached', async function () {
      const small = new MemoryBlacklistCache({ now: clock.now, maxEntries: 2 });
      await small.set('a', 60);
      await small.set('b', 60);
      await small.set('c', 60);
      expect(await small.has('a')).to.equal(false);
      expect(await small.has('b')).to.equal(true);
      expect(await small.has('c')).to.equal(true);
    });

    it('renewing a present key at the limit evicts nothing', async function () {
      const small = new MemoryBlacklistCache({ now: clock.now, maxEntries: 2 });
      await small.set('a', 60);
      await small.set('b', 60);
      await small.set('a', 60);
      expect(await small.has('a')).to.equal(true);
      expect(await small.has('b')).to.equal(true);
    });
  });
});
