import { expect } from 'chai';
import request from 'supertest';
import {
  AuthenticationFailed,
  tokenObtainSlidingRouter,
  tokenRefreshSlidingRouter,
  TokenRefreshSlidingSerializer,
  SlidingToken,
  type SimpleJWTOptions,
} from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, expect400, expect401, pairFor } from '../helpers/app';
import express from 'express';

const OBTAIN = '/api/token/sliding/';
const REFRESH = '/api/token/sliding/refresh/';
const DAY = 24 * 60 * 60;

function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
  const made = makeSJ({ authTokenClasses: ['SlidingToken'], ...options });
  const app = express();
  app.use(REFRESH, tokenRefreshSlidingRouter(made.sj));
  app.use(OBTAIN, tokenObtainSlidingRouter(made.sj));
  return { ...made, app };
}

describe('POST /api/token/sliding/ (tokenObtainSlidingRouter)', () => {
  it('answers 200 {token}: a sliding token with exp and refresh_exp', async () => {
    const { sj, app, clock } = setup();
    const res = await request(app).post(OBTAIN).send({ username: 'alice', password: 'alice-password' });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['token']);
    const token = new sj.SlidingToken(res.body.token);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(token.get('token_type')).to.equal('sliding');
    expect(token.get('exp')).to.equal(now + 300);
    expect(token.get('refresh_exp')).to.equal(now + DAY);
  });

  it('wrong credentials: 401 no_active_account; missing fields: 400', async () => {
    const { app } = setup();
    expect401(
      await request(app).post(OBTAIN).send({ username: 'alice', password: 'x' }),
      'No active account found with the given credentials',
      'no_active_account',
    );
    expect400(await request(app).post(OBTAIN).send({ username: 'alice' }), { password: ['This field is required.'] });
  });

  it('updateLastLogin applies here too', async () => {
    const { app, users } = setup({ updateLastLogin: true });
    await request(app).post(OBTAIN).send({ username: 'bob', password: 'bob-password' }).expect(200);
    expect(users.users.get('2')!.lastLogin).to.be.instanceOf(Date);
  });
});

describe('POST /api/token/sliding/refresh/ (tokenRefreshSlidingRouter)', () => {
  it('renews exp and iat, keeps refresh_exp, jti and the other claims', async () => {
    const { sj, app, clock } = setup();
    const original = await sj.SlidingToken.forUser({ id: 1 });
    clock.advance(200);
    const res = await request(app)
      .post(REFRESH)
      .send({ token: String(original) });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['token']);
    const renewed = new sj.SlidingToken(res.body.token);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(renewed.get('exp')).to.equal(now + 300);
    expect(renewed.get('iat')).to.equal(now);
    expect(renewed.get('refresh_exp')).to.equal(original.get('refresh_exp'));
    expect(renewed.get('jti')).to.equal(original.get('jti'));
    expect(renewed.get('user_id')).to.equal('1');
  });

  it("after refresh_exp: 401 Token 'refresh_exp' claim has expired", async () => {
    const { sj, app, clock } = setup({ slidingTokenLifetime: '2d', slidingTokenRefreshLifetime: '1d' });
    const token = await sj.SlidingToken.forUser({ id: 1 });
    clock.advance(DAY + 1);
    expect401(
      await request(app)
        .post(REFRESH)
        .send({ token: String(token) }),
      "Token 'refresh_exp' claim has expired",
    );
  });

  it('an expired sliding token cannot be renewed (Simple JWT checks exp first)', async () => {
    const { sj, app, clock } = setup();
    const token = await sj.SlidingToken.forUser({ id: 1 });
    clock.advance(301);
    expect401(
      await request(app)
        .post(REFRESH)
        .send({ token: String(token) }),
      'Token is expired',
    );
  });

  it('a sliding token without refresh_exp: 401', async () => {
    const { sj, app } = setup();
    const token = await sj.SlidingToken.forUser({ id: 1 });
    token.delete('refresh_exp');
    expect401(
      await request(app)
        .post(REFRESH)
        .send({ token: String(token) }),
      "Token has no 'refresh_exp' claim",
    );
  });

  it('a refresh or access token: 401 Token has wrong type; garbage: Token is invalid', async () => {
    const { sj, app } = setup();
    const { refresh, access } = await pairFor(sj);
    expect401(await request(app).post(REFRESH).send({ token: refresh }), 'Token has wrong type');
    expect401(await request(app).post(REFRESH).send({ token: access }), 'Token has wrong type');
    expect401(await request(app).post(REFRESH).send({ token: 'a.b.c' }), 'Token is invalid');
  });

  it('field errors use the token field', async () => {
    const { app } = setup();
    expect400(await request(app).post(REFRESH).send({ refresh: 'x' }), { token: ['This field is required.'] });
  });

  it('the tokenRefreshSlidingSerializer setting and a custom claim renewed along', async () => {
    class Stamping extends TokenRefreshSlidingSerializer {
      override async validate(data: unknown) {
        return { ...(await super.validate(data)), renewed: true };
      }
    }
    const { sj, app } = setup({ tokenRefreshSlidingSerializer: Stamping });
    expect(TokenRefreshSlidingSerializer.tokenClass).to.equal(SlidingToken);
    const token = await sj.SlidingToken.forUser({ id: 1 });
    const res = await request(app)
      .post(REFRESH)
      .send({ token: String(token) });
    expect(res.body.renewed).to.equal(true);
  });

  describe('the user is checked again, as at the pair refresh', () => {
    it('deleted user: 401 no_active_account', async () => {
      const { sj, app, users } = setup();
      const token = await sj.SlidingToken.forUser(users.users.get('1')!);
      users.users.delete('1');
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        'No active account found for the given token.',
        'no_active_account',
      );
    });

    it('user made inactive: 401 no_active_account; with checkUserIsActive off: renewed', async () => {
      const { sj, app, users } = setup();
      const token = await sj.SlidingToken.forUser(users.users.get('1')!);
      users.users.get('1')!.isActive = false;
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        'No active account found for the given token.',
        'no_active_account',
      );
      const lax = setup({ checkUserIsActive: false });
      const laxToken = await lax.sj.SlidingToken.forUser(lax.users.users.get('3')!);
      expect(
        (
          await request(lax.app)
            .post(REFRESH)
            .send({ token: String(laxToken) })
        ).status,
      ).to.equal(200);
    });

    it('checkRevokeToken: unchanged password → 200; changed → 401 password_changed', async () => {
      const { sj, app, users } = setup({ checkRevokeToken: true });
      const token = await sj.SlidingToken.forUser(users.users.get('1')!);
      expect(
        (
          await request(app)
            .post(REFRESH)
            .send({ token: String(token) })
        ).status,
      ).to.equal(200);
      users.users.get('1')!.password = 'new-password';
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        "The user's password has been changed.",
        'password_changed',
      );
    });

    it('the serializer itself refuses, so a custom view over it does too', async () => {
      const { sj, users } = setup();
      const token = await sj.SlidingToken.forUser(users.users.get('2')!);
      users.users.delete('2');
      let caught: unknown;
      await new TokenRefreshSlidingSerializer(sj).validate({ token: String(token) }).catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(AuthenticationFailed);
      expect((caught as AuthenticationFailed).code).to.equal('no_active_account');
    });
  });

  describe('with the blacklist app (the test database)', () => {
    const openDatabase = useTestDatabase();

    it('password changed with checkRevokeToken: 401 password_changed and the sliding token is blacklisted', async () => {
      const db = await openDatabase();
      const { sj, app, users } = setup({ sequelize: db.sequelize, apps: { blacklist: true }, checkRevokeToken: true });
      const token = await sj.SlidingToken.forUser(users.users.get('1')!);
      users.users.get('1')!.password = 'changed';
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        "The user's password has been changed.",
        'password_changed',
      );
      expect(await sj.revocation.isBlacklisted(token.jti())).to.equal(true);
      users.users.get('1')!.password = 'alice-password';
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        'Token is blacklisted',
      );
    });

    it('a blacklisted sliding token: 401 Token is blacklisted', async () => {
      const db = await openDatabase();
      const { sj, app } = setup({ sequelize: db.sequelize, apps: { blacklist: true } });
      const token = await sj.SlidingToken.forUser({ id: 1 });
      expect(
        (
          await request(app)
            .post(REFRESH)
            .send({ token: String(token) })
        ).status,
      ).to.equal(200);
      await token.blacklist();
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ token: String(token) }),
        'Token is blacklisted',
      );
    });
  });

  it('mounted under one app: the obtain router lets the deeper refresh path through', async () => {
    const { sj } = setup();
    const app = appWith(tokenObtainSlidingRouter(sj), OBTAIN);
    const res = await request(app).post(`${OBTAIN}refresh/`).send({ token: 'x' });
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ fellThrough: true });
  });
});
