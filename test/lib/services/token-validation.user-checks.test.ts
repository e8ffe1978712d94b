import { expect } from 'chai';
import request from 'supertest';
import { JWTStrategy, tokenRefreshRouter, type SimpleJWTOptions } from '../../../lib';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import { appWith as routerApp, expect401 } from '../../helpers/app';
import { appWith as guardedApp } from '../../helpers/http';

const REFRESH = '/api/token/refresh/';
const NO_ACTIVE_ACCOUNT = 'No active account found for the given token.';

/**
 * Which user rule applies where: a request (the stateful strategy) checks
 * `checkUserIsActive`; a renewal (refresh) checks `userAuthenticationRule`,
 * as Simple JWT's JWTAuthentication and refresh serializer do. A renewal
 * without a user id in the token skips the user check.
 */
describe('TokenValidation: the user checks of a request and of a renewal', function () {
  function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const made = makeSJ(options);
    return { ...made, refreshApp: routerApp(tokenRefreshRouter(made.sj), REFRESH) };
  }

  describe('a renewal of a token without a usable user id skips the user check', function () {
    for (const [label, value] of [
      ['no user id claim', undefined],
      ['a null user id', null],
      ["an empty ''", ''],
    ] as const) {
      it(`${label}: 200 and a new access token`, async function () {
        const { sj, refreshApp } = setup();
        const refresh = new sj.RefreshToken();
        if (value !== undefined) refresh.set('user_id', value);
        const res = await request(refreshApp)
          .post(REFRESH)
          .send({ refresh: String(refresh) });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body.access).to.be.a('string');
      });
    }

    it('contrast: a user id that names no user is refused (401 no_active_account)', async function () {
      const { sj, refreshApp } = setup();
      const refresh = new sj.RefreshToken();
      refresh.set('user_id', '99');
      expect401(
        await request(refreshApp)
          .post(REFRESH)
          .send({ refresh: String(refresh) }),
        NO_ACTIVE_ACCOUNT,
        'no_active_account',
      );
    });
  });

  describe('a custom userAuthenticationRule', function () {
    it('refuses a renewal, but not a request with an access token (the strategy checks checkUserIsActive)', async function () {
      const { sj, users, refreshApp } = setup({ userAuthenticationRule: (user) => user !== null && user.username !== 'alice' });
      const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);

      expect401(
        await request(refreshApp)
          .post(REFRESH)
          .send({ refresh: String(refresh) }),
        NO_ACTIVE_ACCOUNT,
        'no_active_account',
      );
      const res = await request(guardedApp(new JWTStrategy(sj)))
        .get('/me')
        .set('Authorization', `Bearer ${String(refresh.accessToken)}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.user.username).to.equal('alice');
    });

    it('accepting an inactive user: the renewal passes, a request is still refused as user_inactive', async function () {
      const { sj, users, refreshApp } = setup({ userAuthenticationRule: (user) => user !== null });
      const refresh = await sj.RefreshToken.forUser(users.users.get('3')!); // carol, inactive

      const renewed = await request(refreshApp)
        .post(REFRESH)
        .send({ refresh: String(refresh) });
      expect(renewed.status, JSON.stringify(renewed.body)).to.equal(200);
      const res = await request(guardedApp(new JWTStrategy(sj)))
        .get('/me')
        .set('Authorization', `Bearer ${String(refresh.accessToken)}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ detail: 'User is inactive', code: 'user_inactive' });
    });
  });
});
