import { expect } from 'chai';
import request from 'supertest';
import { tokenBlacklistRouter, tokenRefreshRouter, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, expect400, expect401, pairFor } from '../helpers/app';
import express from 'express';

const PATH = '/api/token/blacklist/';
const REFRESH = '/api/token/refresh/';

function appFor(sj: ReturnType<typeof makeSJ>['sj']) {
  const app = express();
  app.use(PATH, tokenBlacklistRouter(sj));
  app.use(REFRESH, tokenRefreshRouter(sj));
  return app;
}

describe('POST /api/token/blacklist/ (tokenBlacklistRouter)', () => {
  it('apps off: checks the token and answers {} (Simple JWT without the blacklist app)', async () => {
    const { sj } = makeSJ();
    const { refresh } = await pairFor(sj);
    const res = await request(appWith(tokenBlacklistRouter(sj), PATH))
      .post(PATH)
      .send({ refresh });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({});
  });

  it('bad tokens: 401; field errors: 400', async () => {
    const { sj } = makeSJ();
    const { access } = await pairFor(sj);
    const app = appWith(tokenBlacklistRouter(sj), PATH);
    expect401(await request(app).post(PATH).send({ refresh: access }), 'Token has wrong type');
    expect401(await request(app).post(PATH).send({ refresh: 'x' }), 'Token is invalid');
    expect400(await request(app).post(PATH).send({ token: 'x' }), { refresh: ['This field is required.'] });
  });

  describe('with the blacklist app (the test database)', () => {
    const openDatabase = useTestDatabase();

    async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, ...options });
      return { ...made, app: appFor(made.sj) };
    }

    it('blacklists the refresh token: {} and the token no longer refreshes', async () => {
      const { sj, app } = await setup();
      const { refresh } = await pairFor(sj);
      const res = await request(app).post(PATH).send({ refresh });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
      expect(await sj.revocation.isBlacklisted(new sj.RefreshToken(refresh).jti())).to.equal(true);
      expect401(await request(app).post(REFRESH).send({ refresh }), 'Token is blacklisted');
    });

    it('blacklisting twice: 401 Token is blacklisted', async () => {
      const { sj, app } = await setup();
      const { refresh } = await pairFor(sj);
      await request(app).post(PATH).send({ refresh }).expect(200);
      expect401(await request(app).post(PATH).send({ refresh }), 'Token is blacklisted');
    });

    it('a token never recorded as outstanding (minted elsewhere) is blacklisted too', async () => {
      const { sj, app } = await setup();
      const token = new sj.RefreshToken();
      token.set('user_id', '1');
      await request(app)
        .post(PATH)
        .send({ refresh: String(token) })
        .expect(200);
      expect401(
        await request(app)
          .post(REFRESH)
          .send({ refresh: String(token) }),
        'Token is blacklisted',
      );
    });
  });
});
