import { expect } from 'chai';
import request from 'supertest';
import { RefreshTokenBlacklistedError, tokenVerifyRouter, type SimpleJWTOptions } from '../../../lib';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import { appWith, expect400, expect401 } from '../../helpers/app';

const PATH = '/api/token/verify/';

/**
 * The verify view's stored checks (`sj.validation.validateAnyType`): which
 * tokens are looked up in the blacklist, and when the family is checked.
 */
describe('TokenValidation.validateAnyType, through POST /api/token/verify/', function () {
  const openDatabase = useTestDatabase();

  function instance(db: TestDatabase, options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, ...options });
    return { ...made, app: appWith(tokenVerifyRouter(made.sj), PATH) };
  }

  it('an access token is never looked up in the blacklist: it verifies with the database gone, a refresh token answers 503', async function () {
    const db = await openDatabase();
    const { sj, users, app } = instance(db);
    const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
    const access = String(refresh.accessToken);
    await db.sequelize.close();

    const res = await request(app).post(PATH).send({ token: access });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({});
    expect(
      (
        await request(app)
          .post(PATH)
          .send({ token: String(refresh) })
      ).status,
    ).to.equal(503);
  });

  it('an access token carrying the jti of a blacklisted refresh token still verifies (only refresh and sliding tokens are blacklisted)', async function () {
    const db = await openDatabase();
    const { sj, users, app } = instance(db);
    const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
    await refresh.blacklist();
    const access = new sj.AccessToken();
    access.set('user_id', '1');
    access.set('jti', refresh.jti());

    await request(app)
      .post(PATH)
      .send({ token: String(access) })
      .expect(200, {});
    expect400(
      await request(app)
        .post(PATH)
        .send({ token: String(refresh) }),
      { non_field_errors: ['Token is blacklisted'] },
    );
    // The same refusal for a custom view calling the pipeline itself.
    const error = await sj.validation.validateAnyType(String(refresh)).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(error).to.be.instanceOf(RefreshTokenBlacklistedError);
    expect(error?.message).to.equal('Token is blacklisted');
  });

  describe('the family is checked only with tokenFamilyEnabled and the family app both on', function () {
    /** An access token (carrying the family claims) of a family then blacklisted, minted with families on. */
    async function blacklistedFamilyAccess(db: TestDatabase): Promise<string> {
      const { sj, users } = instance(db, { tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: true });
      const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
      await refresh.blacklistFamily();
      return String(refresh.accessToken);
    }

    it('both on: 401 Token family is blacklisted', async function () {
      const db = await openDatabase();
      const access = await blacklistedFamilyAccess(db);
      expect401(
        await request(instance(db, { tokenFamilyEnabled: true }).app)
          .post(PATH)
          .send({ token: access }),
        'Token family is blacklisted',
      );
    });

    it('the family app on, tokenFamilyEnabled off: 200', async function () {
      const db = await openDatabase();
      const access = await blacklistedFamilyAccess(db);
      await request(instance(db, { tokenFamilyEnabled: false }).app)
        .post(PATH)
        .send({ token: access })
        .expect(200, {});
    });

    it('both off (blacklist app only): 200', async function () {
      const db = await openDatabase();
      const access = await blacklistedFamilyAccess(db);
      await request(instance(db, { apps: { blacklist: true }, tokenFamilyEnabled: false }).app)
        .post(PATH)
        .send({ token: access })
        .expect(200, {});
    });
  });
});
