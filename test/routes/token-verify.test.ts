import { expect } from 'chai';
import request from 'supertest';
import { SimpleJWT, tokenVerifyRouter, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, SECRET, type TestUser } from '../helpers/fixtures';
import { appWith, expect400, expect401, pairFor } from '../helpers/app';

const PATH = '/api/token/verify/';

describe('POST /api/token/verify/ (tokenVerifyRouter)', () => {
  function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const made = makeSJ(options);
    return { ...made, app: appWith(tokenVerifyRouter(made.sj), PATH) };
  }

  it('any valid token of the instance: 200 {}', async () => {
    const { sj, app } = setup();
    const { refresh, access } = await pairFor(sj);
    const sliding = await sj.SlidingToken.forUser({ id: 1 });
    for (const token of [access, refresh, String(sliding)]) {
      const res = await request(app).post(PATH).send({ token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
    }
  });

  it('bad tokens: 401 with the token message', async () => {
    const { sj, app, clock } = setup();
    const { access } = await pairFor(sj);
    expect401(await request(app).post(PATH).send({ token: 'garbage' }), 'Token is invalid');
    const foreign = await new SimpleJWT({ signingKey: `${SECRET}-other` }).AccessToken.forUser({ id: 1 });
    expect401(
      await request(app)
        .post(PATH)
        .send({ token: String(foreign) }),
      'Token is invalid',
    );
    const typeless = await sj.AccessToken.forUser({ id: 1 });
    typeless.delete('jti');
    expect401(
      await request(app)
        .post(PATH)
        .send({ token: String(typeless) }),
      'Token has no id',
    );
    clock.advance(301);
    expect401(await request(app).post(PATH).send({ token: access }), 'Token is expired');
  });

  it('a token with alg none: 401', async () => {
    const { app } = setup();
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ token_type: 'access', exp: 9999999999, jti: 'x', user_id: '1' })}.`;
    expect401(await request(app).post(PATH).send({ token: none }), 'Token is invalid');
  });

  it('field errors name the token field', async () => {
    const { app } = setup();
    expect400(await request(app).post(PATH).send({ token: null }), { token: ['This field may not be null.'] });
    expect400(await request(app).post(PATH).send({ token: {} }), { token: ['Not a valid string.'] });
  });

  it('with the blacklist app off, a would-be blacklisted token still verifies (no database)', async () => {
    const { sj, app } = setup();
    const { refresh } = await pairFor(sj);
    expect((await request(app).post(PATH).send({ token: refresh })).status).to.equal(200);
  });

  describe('with the blacklist and family apps (the test database)', () => {
    const openDatabase = useTestDatabase();

    async function withApps(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      return setup({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true, ...options });
    }

    it('a blacklisted refresh token: 400 {"non_field_errors": ["Token is blacklisted"]}', async () => {
      const { sj, app } = await withApps();
      const { refresh, access } = await pairFor(sj);
      await new sj.RefreshToken(refresh).blacklist();
      expect400(await request(app).post(PATH).send({ token: refresh }), { non_field_errors: ['Token is blacklisted'] });
      expect((await request(app).post(PATH).send({ token: access })).status).to.equal(200);
    });

    it('a blacklisted sliding token: 400 too', async () => {
      const { sj, app } = await withApps();
      const sliding = await sj.SlidingToken.forUser({ id: 1 });
      await sliding.blacklist();
      expect400(
        await request(app)
          .post(PATH)
          .send({ token: String(sliding) }),
        { non_field_errors: ['Token is blacklisted'] },
      );
    });

    it('a token of a blacklisted family: 401 Token family is blacklisted', async () => {
      const { sj, app } = await withApps();
      const { refresh } = await pairFor(sj);
      await new sj.RefreshToken(refresh).blacklistFamily();
      expect401(await request(app).post(PATH).send({ token: refresh }), 'Token family is blacklisted');
    });

    it('an access token of a blacklisted family (tokenFamilyCheckOnAccess): 401', async () => {
      const { sj, app } = await withApps({ tokenFamilyCheckOnAccess: true });
      const { refresh, access } = await pairFor(sj);
      expect((await request(app).post(PATH).send({ token: access })).status).to.equal(200);
      await new sj.RefreshToken(refresh).blacklistFamily();
      expect401(await request(app).post(PATH).send({ token: access }), 'Token family is blacklisted');
    });

    it('a token of an expired family: 401 Token family has expired', async () => {
      const { sj, app, clock } = await withApps({ tokenFamilyLifetime: 60 });
      const { refresh } = await pairFor(sj);
      clock.advance(61);
      expect401(await request(app).post(PATH).send({ token: refresh }), 'Token family has expired');
    });
  });
});
