/**
 * The verify view's stored checks (`sj.validation.validateAnyType()`, the
 * pipeline of `POST /verify/`), on the database of the run: a blacklisted
 * refresh token (and one whose `jti` is a number, refused before), and
 * the family checks, which run only when both `tokenFamilyEnabled` and
 * the family app are on.
 */
import { expect } from 'chai';
import request from 'supertest';
import { RefreshTokenBlacklistedError, tokenVerifyRouter } from '../../../lib';
import { useTestDatabase } from '../../helpers/database';
import { makeSJ } from '../../helpers/fixtures';
import { appWith, pairFor } from '../../helpers/app';

const PATH = '/api/token/verify/';
const BOTH = { blacklist: true, tokenFamily: true };

describe('verify: the stored checks of any token', () => {
  const openDatabase = useTestDatabase();

  it('validateAnyType() of a blacklisted refresh token rejects with RefreshTokenBlacklistedError "Token is blacklisted"', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH, tokenFamilyEnabled: true });
    const { refresh } = await pairFor(sj);
    await new sj.RefreshToken(refresh).blacklist();
    const err = await sj.validation.validateAnyType(refresh).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(RefreshTokenBlacklistedError);
    expect((err as Error).message).to.equal('Token is blacklisted');
  });

  it('a refresh token whose jti is a number (minted elsewhere) is refused as invalid before any stored check', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH });
    const token = new sj.RefreshToken();
    token.set('user_id', 1);
    token.set('jti', 424242);
    const answer = await request(appWith(tokenVerifyRouter(sj), PATH))
      .post(PATH)
      .send({ token: token.toString() });
    expect(answer.status).to.equal(401);
    expect(answer.body).to.deep.equal({ detail: 'Token is invalid', code: 'token_not_valid' });
  });

  it('a token of a blacklisted family verifies when tokenFamilyEnabled is off, though the family app is on', async () => {
    const db = await openDatabase();
    const issuer = makeSJ({ sequelize: db.sequelize, apps: BOTH, tokenFamilyEnabled: true }).sj;
    const { refresh } = await pairFor(issuer);
    await new issuer.RefreshToken(refresh).blacklistFamily();
    expect(
      (
        await request(appWith(tokenVerifyRouter(issuer), PATH))
          .post(PATH)
          .send({ token: refresh })
      ).status,
    ).to.equal(401);
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH, tokenFamilyEnabled: false });
    expect(
      (
        await request(appWith(tokenVerifyRouter(sj), PATH))
          .post(PATH)
          .send({ token: refresh })
      ).status,
    ).to.equal(200);
  });
});
