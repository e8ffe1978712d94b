import { expect } from 'chai';
import type { SimpleJWTOptions } from '../../../lib';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import { expectRejected } from '../../helpers/storage';

// The family checks follow the settings of the instance that verifies a token,
// not the claims the token carries: a token minted while families (or the check
// on access tokens) were on keeps working, without a family lookup, once they are off.
describe("token family checks follow the verifying instance's settings", () => {
  const openDatabase = useTestDatabase();

  function instance(db: TestDatabase, options: Partial<SimpleJWTOptions<TestUser>>) {
    return makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, ...options });
  }

  /** A refresh token and its access token, both carrying the family claims, of a family then blacklisted. */
  async function blacklistedFamily(db: TestDatabase) {
    const { sj, users } = instance(db, { tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: true, tokenFamilyLifetime: 60 });
    const refresh = await sj.RefreshToken.forUser(users.users.get('1')!);
    const access = String(refresh.accessToken);
    await refresh.blacklistFamily();
    await expectRejected(new sj.AccessToken(access).verify(), 'Token family is blacklisted');
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token family is blacklisted');
    return { refresh: String(refresh), access };
  }

  it('access tokens: not checked with tokenFamilyCheckOnAccess but families off', async () => {
    const db = await openDatabase();
    const { access } = await blacklistedFamily(db);
    const { sj } = instance(db, { tokenFamilyEnabled: false, tokenFamilyCheckOnAccess: true });
    await new sj.AccessToken(access).verify();
  });

  it('access tokens: not checked with families on but tokenFamilyCheckOnAccess off', async () => {
    const db = await openDatabase();
    const { access } = await blacklistedFamily(db);
    const { sj } = instance(db, { tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: false });
    await new sj.AccessToken(access).verify();
  });

  it('refresh tokens: not checked with the family app on but tokenFamilyEnabled off', async () => {
    const db = await openDatabase();
    const { refresh } = await blacklistedFamily(db);
    const { sj } = instance(db, { tokenFamilyEnabled: false });
    await new sj.RefreshToken(refresh).verify();
  });

  it('the family expiry (family_exp) is not checked either once the check is off', async () => {
    const db = await openDatabase();
    const { refresh, access } = await blacklistedFamily(db);
    const off = instance(db, { tokenFamilyEnabled: false, tokenFamilyCheckOnAccess: true });
    const onNoAccess = instance(db, { tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: false, accessTokenLifetime: '5m' });
    off.clock.advance(61);
    onNoAccess.clock.advance(61);
    await new off.sj.RefreshToken(refresh).verify();
    await new off.sj.AccessToken(access).verify();
    await new onNoAccess.sj.AccessToken(access).verify();
    expect(() => new onNoAccess.sj.RefreshToken(refresh)).to.throw('Token family has expired');
  });
});
