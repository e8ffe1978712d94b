import { expect } from 'chai';
import request from 'supertest';
import { RedisBlacklistCache, tokenRouter } from '../../../lib';
import { useTestDatabase } from '../../helpers/database';
import { makeSJ } from '../../helpers/fixtures';
import { appWith, expect401, pairFor } from '../../helpers/app';
import { useRedisPrefix } from '../../helpers/redis';

// An entry written straight into Redis (as another process would) is
// honoured although the database, healthy and migrated, has no such row:
// proof that the blacklist checks consult the cache.

describe('RedisBlacklistCache is consulted: an entry only Redis has is honoured', function () {
  const openDatabase = useTestDatabase();
  const context = useRedisPrefix();

  async function setup() {
    const db = await openDatabase();
    const apps = { blacklist: true, tokenFamily: true };
    const made = makeSJ({
      sequelize: db.sequelize,
      apps,
      tokenFamilyEnabled: true,
      rotateRefreshTokens: true,
      cache: new RedisBlacklistCache(context.redis, { keyPrefix: context.prefix }),
      cacheBlacklistedRefreshTokens: true,
      cacheBlacklistedFamilies: true,
    });
    // The same database without a cache: what the database alone says.
    const databaseOnly = makeSJ({ sequelize: db.sequelize, apps, tokenFamilyEnabled: true, cache: undefined }).sj;
    return { ...made, databaseOnly, app: appWith(tokenRouter(made.sj)) };
  }

  it('a refresh token blacklisted only in Redis: /refresh/ 401, /verify/ 400, verify() rejects', async function () {
    const { sj, databaseOnly, app } = await setup();
    const { refresh } = await pairFor(sj);
    const jti = new sj.RefreshToken(refresh).jti();
    await context.redis.set(`${context.prefix}sjwt_brt:${jti}`, '1', { EX: 60 });

    expect(await databaseOnly.revocation.isBlacklisted(jti)).to.equal(false);
    await new databaseOnly.RefreshToken(refresh).verify(); // the database alone would let it through
    expect(await sj.revocation.isBlacklisted(jti)).to.equal(true);
    expect401(await request(app).post('/api/token/refresh/').send({ refresh }), 'Token is blacklisted');
    const verify = await request(app).post('/api/token/verify/').send({ token: refresh });
    expect(verify.status).to.equal(400);
    expect(verify.body).to.deep.equal({ non_field_errors: ['Token is blacklisted'] });
  });

  it('a family blacklisted only in Redis: its refresh tokens answer 401 Token family is blacklisted', async function () {
    const { sj, databaseOnly, app } = await setup();
    const { refresh } = await pairFor(sj);
    const familyId = new sj.RefreshToken(refresh).getFamilyId();
    expect(familyId).to.be.a('string');
    await context.redis.set(`${context.prefix}sjwt_btf:${familyId}`, '1', { EX: 60 });

    expect(await databaseOnly.revocation.isFamilyBlacklisted(familyId!)).to.equal(false);
    expect(await sj.revocation.isFamilyBlacklisted(familyId!)).to.equal(true);
    expect401(await request(app).post('/api/token/refresh/').send({ refresh }), 'Token family is blacklisted');
  });

  it('without the entry the same token refreshes: the 401s above come from Redis alone', async function () {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    const res = await request(app).post('/api/token/refresh/').send({ refresh });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });
});
