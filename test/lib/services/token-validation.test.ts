import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import {
  AccessToken,
  JWTStrategy,
  MemoryBlacklistCache,
  TokenError,
  tokenRefreshSlidingRouter,
  tokenRouter,
  type SimpleJWT,
  type SimpleJWTOptions,
  type UserStore,
} from '../../../lib';
import { useTestDatabase } from '../../helpers/database';
import { appWith as guardedApp } from '../../helpers/http';
import { makeSJ, memoryUsers, type TestUser } from '../../helpers/fixtures';
import { appWith as tokenApp } from '../../helpers/app';

/** One instance's three doors: a route behind the stateful strategy, the refresh view, the sliding refresh view. */
async function doors(sj: SimpleJWT<TestUser>, user: TestUser) {
  const guarded = guardedApp(new JWTStrategy(sj), 'jwtAuth');
  const views = express().use('/api/token/', tokenRouter(sj)).use('/api/token/sliding/refresh/', tokenRefreshSlidingRouter(sj));
  const refresh = await sj.RefreshToken.forUser(user);
  const sliding = await sj.SlidingToken.forUser(user);
  return {
    me: () => request(guarded).get('/me').set('Authorization', `Bearer ${refresh.accessToken}`),
    refresh: () =>
      request(views)
        .post('/api/token/refresh/')
        .send({ refresh: String(refresh) }),
    slidingRefresh: () =>
      request(views)
        .post('/api/token/sliding/refresh/')
        .send({ token: String(sliding) }),
    refreshToken: refresh,
  };
}

describe('the token validation pipeline: one rule set for the strategy and the serializers', () => {
  it('the password-changed rule (checkRevokeToken) answers the same through the strategy, the refresh and the sliding refresh', async () => {
    const { sj, users } = makeSJ({ checkRevokeToken: true });
    const alice = users.users.get('1')!;
    const door = await doors(sj, alice);
    expect((await door.me()).status).to.equal(200);
    expect((await door.refresh()).status).to.equal(200);
    expect((await door.slidingRefresh()).status).to.equal(200);
    alice.password = 'a-new-password-hash';
    for (const res of [await door.me(), await door.refresh(), await door.slidingRefresh()]) {
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ detail: "The user's password has been changed.", code: 'password_changed' });
    }
  });

  it("the user store's getPasswordHash is the one hash all three compare", async () => {
    const hashes = new Map<number, string>([[1, 'hash-1']]);
    const store: UserStore<TestUser> = { ...memoryUsers(), getPasswordHash: (user) => hashes.get(user.id) ?? '' };
    const { sj, users } = makeSJ({ checkRevokeToken: true, users: store });
    const door = await doors(sj, users.users.get('1')!);
    users.users.get('1')!.password = 'changed-but-not-the-hash'; // not what the store says the hash is
    expect((await door.me()).status).to.equal(200);
    expect((await door.refresh()).status).to.equal(200);
    expect((await door.slidingRefresh()).status).to.equal(200);
    hashes.set(1, 'hash-2');
    expect((await door.me()).body.code).to.equal('password_changed');
    expect((await door.refresh()).body.code).to.equal('password_changed');
    expect((await door.slidingRefresh()).body.code).to.equal('password_changed');
  });

  it('a deactivated user is refused by all three, each with its own message', async () => {
    const { sj, users } = makeSJ();
    const alice = users.users.get('1')!;
    const door = await doors(sj, alice);
    alice.isActive = false;
    expect((await door.me()).body).to.deep.equal({ detail: 'User is inactive', code: 'user_inactive' });
    expect((await door.refresh()).body).to.deep.equal({ detail: 'No active account found for the given token.', code: 'no_active_account' });
    expect((await door.slidingRefresh()).body).to.deep.equal({ detail: 'No active account found for the given token.', code: 'no_active_account' });
  });

  it('a deleted user is refused by all three', async () => {
    const { sj, users } = makeSJ();
    const door = await doors(sj, users.users.get('1')!);
    users.users.delete('1');
    expect((await door.me()).body).to.deep.equal({ detail: 'User not found', code: 'user_not_found' });
    expect((await door.refresh()).body.code).to.equal('no_active_account');
    expect((await door.slidingRefresh()).body.code).to.equal('no_active_account');
  });

  describe('stored checks', () => {
    const openDatabase = useTestDatabase();

    async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      return makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true, ...options });
    }

    it('a blacklisted family is refused alike by the strategy (tokenFamilyCheckOnAccess), the refresh and the verify view', async () => {
      const { sj, users } = await setup({ tokenFamilyCheckOnAccess: true });
      const door = await doors(sj, users.users.get('1')!);
      const views = tokenApp(tokenRouter(sj));
      const verify = () =>
        request(views)
          .post('/api/token/verify/')
          .send({ token: String(door.refreshToken.accessToken) });
      expect((await door.me()).status).to.equal(200);
      expect((await verify()).status).to.equal(200);
      await door.refreshToken.blacklistFamily();
      for (const res of [await door.me(), await door.refresh(), await verify()]) {
        expect(res.status).to.equal(401);
        expect(res.body.code).to.equal('token_not_valid');
        expect(JSON.stringify(res.body)).to.contain('Token family is blacklisted');
      }
    });

    it('one cache lookup path: a cached blacklist entry is refused by the strategy, the refresh, the verify and the blacklist views', async () => {
      const cache = new MemoryBlacklistCache();
      const { sj, users } = await setup({ cache, cacheBlacklistedRefreshTokens: true, authTokenClasses: ['AccessToken', 'RefreshToken'] });
      const alice = users.users.get('1')!;
      const refresh = String(await sj.RefreshToken.forUser(alice));
      const guarded = guardedApp(new JWTStrategy(sj), 'jwtAuth');
      const views = tokenApp(tokenRouter(sj));
      expect((await request(guarded).get('/me').set('Authorization', `Bearer ${refresh}`)).status).to.equal(200);
      // Only the cache knows: storage has no blacklist row for it.
      await cache.set(`sjwt_brt:${new sj.RefreshToken(refresh).jti()}`, 60);
      expect(await sj.revocation.isBlacklisted(new sj.RefreshToken(refresh).jti())).to.equal(true);
      expect((await sj.revocation.tokenState(new sj.RefreshToken(refresh).jti(), null)).blacklisted).to.equal(true);
      const me = await request(guarded).get('/me').set('Authorization', `Bearer ${refresh}`);
      expect(me.status).to.equal(401);
      expect(JSON.stringify(me.body)).to.contain('Token is blacklisted');
      const refreshed = await request(views).post('/api/token/refresh/').send({ refresh });
      expect(refreshed.body).to.deep.equal({ detail: 'Token is blacklisted', code: 'token_not_valid' });
      const verified = await request(views).post('/api/token/verify/').send({ token: refresh });
      expect(verified.status).to.equal(400);
      expect(verified.body).to.deep.equal({ non_field_errors: ['Token is blacklisted'] });
      const blacklisted = await request(views).post('/api/token/blacklist/').send({ refresh });
      expect(blacklisted.body).to.deep.equal({ detail: 'Token is blacklisted', code: 'token_not_valid' });
    });
  });
});

describe("a token class of the app with its own verifySignature() (an extra check of the app's)", () => {
  it('is awaited on every request behind the strategy, also where no other check needs I/O', async () => {
    const lost = new Set<string>();
    class DeviceBoundAccessToken extends AccessToken {
      override async verifySignature(): Promise<void> {
        await super.verifySignature();
        if (lost.has(this.jti())) throw new TokenError('Token belongs to a lost device');
      }
    }
    const { sj } = makeSJ({ authTokenClasses: [DeviceBoundAccessToken] });
    const app = guardedApp(new JWTStrategy(sj), 'jwtAuth');
    const access = await sj.AccessToken.forUser({ id: 1, username: 'alice', password: 'alice-password', isActive: true });
    const me = () =>
      request(app)
        .get('/me')
        .set('Authorization', `Bearer ${String(access)}`);
    expect((await me()).status).to.equal(200);
    lost.add(access.jti());
    const refused = await me();
    expect(refused.status).to.equal(401);
    expect(refused.body.messages.map((m: { message: string }) => m.message)).to.deep.equal(['Token belongs to a lost device']);
  });
});
