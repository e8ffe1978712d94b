import { expect } from 'chai';
import express, { type Express } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { AuthenticationFailed, JWTStatelessStrategy, JWTStrategy, errorHandler, jwtAuth, type JWTStrategyOptions, type SimpleJWT } from '../../../lib';
import { makeSJ, memoryUsers, type TestUser } from '../../helpers/fixtures';
import { appWith } from '../../helpers/http';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' };

function guardedApp(sj: SimpleJWT<TestUser>, options: JWTStrategyOptions): Express {
  const passport = new Passport();
  passport.use(new JWTStrategy(sj, options));
  const app = express();
  const guard = jwtAuth('passport-simplejwt', { passport });
  app.post('/me', guard, (req, res) => res.json({ id: String((req.user as TestUser).id) }));
  app.get('/me', guard, (req, res) => res.json({ id: String((req.user as TestUser).id) }));
  app.use(errorHandler());
  return app;
}

describe('strategies: the inputs a request and the app hand them', () => {
  it('jwtFromRequest answering anything but a non-empty string is no token: 401 not_authenticated (never a new token)', async () => {
    const { sj } = makeSJ();
    for (const found of [undefined, null, '', 42, { token: 'x' }]) {
      const app = guardedApp(sj, { jwtFromRequest: () => found as string | null });
      const res = await request(app).get('/me');
      expect(res.status, JSON.stringify(found)).to.equal(401);
      expect(res.body, JSON.stringify(found)).to.deep.equal(NOT_PROVIDED);
    }
  });

  it('a token from the Authorization header needs no CSRF check, even when a cookie holds the same value', async () => {
    const { sj, users } = makeSJ();
    const raw = String(await sj.AccessToken.forUser(users.users.get('1')!));
    const app = guardedApp(sj, {});
    const res = await request(app).post('/me').set('Authorization', `Bearer ${raw}`).set('Cookie', `access=${raw}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ id: '1' });
  });

  it('a user store answering undefined for a missing user: 401 user_not_found, and getUser() rejects', async () => {
    const base = memoryUsers();
    const users = {
      ...base,
      async findById(id: string) {
        return base.users.get(id);
      },
    } as unknown as typeof base;
    const { sj } = makeSJ({ users });
    const token = new sj.AccessToken();
    token.set('user_id', '99');
    const strategy = new JWTStrategy(sj);
    const err = await strategy.getUser(token).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(AuthenticationFailed).with.property('message', 'User not found');
    const res = await request(appWith(strategy, 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${String(token)}`);
    expect(res.status).to.equal(401);
    expect(res.body).to.deep.equal({ detail: 'User not found', code: 'user_not_found' });
  });

  it('refuses to be built on anything but a SimpleJWT instance, with the package message', () => {
    for (const notSJ of ['sj', 42, true, {}, null, undefined]) {
      for (const Strategy of [JWTStrategy, JWTStatelessStrategy]) {
        expect(() => new Strategy(notSJ as unknown as SimpleJWT<TestUser>), `${Strategy.name}(${String(notSJ)})`).to.throw(
          TypeError,
          'passport-simplejwt: the strategy needs a SimpleJWT instance',
        );
      }
    }
  });

  it("refuses a 'name' option that is not a non-empty string", () => {
    const { sj } = makeSJ();
    for (const name of ['', 42, null, {}]) {
      expect(() => new JWTStrategy(sj, { name: name as string }), JSON.stringify(name)).to.throw(
        TypeError,
        "passport-simplejwt: the strategy option 'name' must be a non-empty string",
      );
    }
    expect(new JWTStrategy(sj, { name: 'api' }).name).to.equal('api');
  });
});
