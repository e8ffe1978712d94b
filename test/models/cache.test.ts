import { expect } from 'chai';
import { MemoryBlacklistCache, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { expectRejected } from '../helpers/storage';

describe('cache of blacklisted jtis and families (positive entries only)', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true, ...options });
    return { db, ...made, alice: made.users.users.get('1')! };
  }

  it('remembers a blacklisted jti: refused from the cache even when the row is gone', async () => {
    const cache = new MemoryBlacklistCache();
    const { db, sj, alice } = await setup({ cache, cacheBlacklistedRefreshTokens: true });
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.blacklist();
    expect(await cache.has(`sjwt_brt:${refresh.jti()}`)).to.equal(true);
    await db.sequelize.query('DELETE FROM token_blacklist_blacklistedtoken');
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
  });

  it('never stores "not blacklisted": a blacklist written by another process is seen at once', async () => {
    const cache = new MemoryBlacklistCache();
    const { db, sj, alice } = await setup({ cache, cacheBlacklistedRefreshTokens: true, cacheBlacklistedFamilies: true });
    const refresh = await sj.RefreshToken.forUser(alice);
    await new sj.RefreshToken(String(refresh)).verify();
    expect(await cache.has(`sjwt_brt:${refresh.jti()}`)).to.equal(false);
    expect(await cache.has(`sjwt_btf:${refresh.getFamilyId()}`)).to.equal(false);
    const other = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } }).sj; // another process, same database
    await new other.RefreshToken(String(refresh)).blacklist();
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
    expect(await cache.has(`sjwt_brt:${refresh.jti()}`)).to.equal(true); // learnt from the database
  });

  it('remembers a blacklisted family under its prefix, with its TTL', async () => {
    const { db, sj, clock, alice } = await setup({
      cache: undefined,
      cacheBlacklistedFamilies: true,
      cacheTtlBlacklistedFamilies: 60,
      cacheKeyPrefixBlacklistedFamilies: 'fam',
    }); // the default cache: on the frozen clock
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.blacklistFamily();
    expect(await sj.cache.has(`fam:${refresh.getFamilyId()}`)).to.equal(true);
    await db.sequelize.query('DELETE FROM token_family_blacklistedtokenfamily');
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token family is blacklisted');
    clock.advance(61); // the entry expires; the database (no row any more) decides again
    await new sj.RefreshToken(String(refresh)).verify();
  });

  it('with caching off (the default) the database alone decides', async () => {
    const { db, sj, alice } = await setup({ cache: undefined }); // the defaults, also in the Redis cache run
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.blacklist();
    expect(await sj.cache.has(`sjwt_brt:${refresh.jti()}`)).to.equal(false);
    await db.sequelize.query('DELETE FROM token_blacklist_blacklistedtoken');
    await new sj.RefreshToken(String(refresh)).verify();
  });
});
