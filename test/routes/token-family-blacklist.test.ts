import { expect } from 'chai';
import request from 'supertest';
import { tokenFamilyBlacklistRouter, tokenRefreshRouter, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, expect400, expect401, pairFor } from '../helpers/app';
import express from 'express';

const PATH = '/api/token/family/blacklist/';
const REFRESH = '/api/token/refresh/';
const NOT_CONFIGURED = {
  detail: 'Token family functionality is not enabled or available. Please check your configuration.',
  code: 'token_family_not_configured',
};

describe('POST /api/token/family/blacklist/ (tokenFamilyBlacklistRouter)', () => {
  it('family app off: 501 token_family_not_configured', async () => {
    const { sj } = makeSJ();
    const { refresh } = await pairFor(sj);
    const res = await request(appWith(tokenFamilyBlacklistRouter(sj), PATH))
      .post(PATH)
      .send({ refresh });
    expect(res.status).to.equal(501);
    expect(res.body).to.deep.equal(NOT_CONFIGURED);
  });

  it('a bad token is a 401 before anything else', async () => {
    const { sj } = makeSJ();
    expect401(
      await request(appWith(tokenFamilyBlacklistRouter(sj), PATH))
        .post(PATH)
        .send({ refresh: 'x' }),
      'Token is invalid',
    );
  });

  describe('with the family app (the test database)', () => {
    const openDatabase = useTestDatabase();

    async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      const made = makeSJ({
        sequelize: db.sequelize,
        apps: { blacklist: true, tokenFamily: true },
        tokenFamilyEnabled: true,
        rotateRefreshTokens: true,
        ...options,
      });
      const app = express();
      app.use(PATH, tokenFamilyBlacklistRouter(made.sj));
      app.use(REFRESH, tokenRefreshRouter(made.sj));
      return { ...made, app };
    }

    it('blacklists the family: every token of it stops refreshing', async () => {
      const { sj, app } = await setup();
      const { refresh } = await pairFor(sj);
      const rotated = await request(app).post(REFRESH).send({ refresh });
      const res = await request(app).post(PATH).send({ refresh: rotated.body.refresh });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Token Family blacklisted' });
      expect401(await request(app).post(REFRESH).send({ refresh }), 'Token family is blacklisted');
      expect401(await request(app).post(REFRESH).send({ refresh: rotated.body.refresh }), 'Token family is blacklisted');
    });

    it('a family already blacklisted: 401 Token family is blacklisted', async () => {
      const { sj, app } = await setup();
      const { refresh } = await pairFor(sj);
      await request(app).post(PATH).send({ refresh }).expect(200);
      expect401(await request(app).post(PATH).send({ refresh }), 'Token family is blacklisted');
    });

    it('a token without family_id: 400 {"refresh": ["Token has no family ID"]}', async () => {
      const { sj, app } = await setup();
      const plain = new sj.RefreshToken();
      plain.set('user_id', '1');
      expect400(
        await request(app)
          .post(PATH)
          .send({ refresh: String(plain) }),
        { refresh: ['Token has no family ID'] },
      );
    });

    it('tokenFamilyEnabled off with the app on: 501', async () => {
      const { sj, app } = await setup({ tokenFamilyEnabled: false });
      const { refresh } = await pairFor(sj);
      const res = await request(app).post(PATH).send({ refresh });
      expect(res.status).to.equal(501);
      expect(res.body).to.deep.equal(NOT_CONFIGURED);
    });
  });
});
