import { expect } from 'chai';
import { AccessToken, RefreshTokenBlacklistedError, type SimpleJWTOptions } from '../../../lib';
import { BlacklistMixin } from '../../../lib/tokens/blacklist-mixin';
import { useTestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';

describe('BlacklistMixin: the blacklist methods only on the tokens Simple JWT gives them to', () => {
  it('AccessToken and UntypedToken have no blacklist(), checkBlacklist() or blacklistFamily()', () => {
    const { sj } = makeSJ();
    for (const token of [new sj.AccessToken(), new sj.UntypedToken(String(new sj.AccessToken()))]) {
      expect('blacklist' in token, `${token.constructor.name}.blacklist`).to.equal(false);
      expect('checkBlacklist' in token, `${token.constructor.name}.checkBlacklist`).to.equal(false);
      expect('blacklistFamily' in token, `${token.constructor.name}.blacklistFamily`).to.equal(false);
    }
    // @ts-expect-error sj.AccessToken has no blacklist() in its type either
    expect(new sj.AccessToken().blacklist).to.equal(undefined);
  });

  it('RefreshToken and SlidingToken have blacklist() and checkBlacklist(); blacklistFamily() is the refresh token’s', () => {
    const { sj } = makeSJ();
    for (const token of [new sj.RefreshToken(), new sj.SlidingToken()]) {
      expect(token.blacklist).to.be.a('function');
      expect(token.checkBlacklist).to.be.a('function');
    }
    expect(new sj.RefreshToken().blacklistFamily).to.be.a('function');
    expect('blacklistFamily' in new sj.SlidingToken()).to.equal(false);
  });

  describe('with the blacklist app on', () => {
    const openDatabase = useTestDatabase();

    async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, ...options });
      return { ...made, alice: made.users.users.get('1')! };
    }

    it('an access token class given the mixin is recorded, can be blacklisted, and verify() then refuses it', async () => {
      class RevocableAccess extends BlacklistMixin(AccessToken) {}
      const { sj, alice } = await setup();
      const Bound = sj.bind(RevocableAccess);
      const access = await Bound.forUser(alice);
      const [, created] = (await access.outstand())!;
      expect(created).to.equal(false); // forUser recorded it already
      await new Bound(String(access)).verify();
      await access.blacklist();
      const err = await new Bound(String(access)).verify().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RefreshTokenBlacklistedError);
      // The plain access class never asks the blacklist.
      await new sj.AccessToken(String(access)).verify();
    });

    it('verify() hands each check of the blacklist to the isRevoked setting (the one hook), which can audit it', async () => {
      const calls: string[] = [];
      const { sj, alice } = await setup({
        isRevoked: (token, state) => {
          calls.push(token.jti());
          return state.blacklisted || state.familyBlacklisted;
        },
      });
      const refresh = await sj.RefreshToken.forUser(alice);
      await new sj.RefreshToken(String(refresh)).verify();
      expect(calls).to.deep.equal([refresh.jti()]);
      await refresh.blacklist();
      const err = await new sj.RefreshToken(String(refresh)).verify().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RefreshTokenBlacklistedError);
      expect(calls).to.have.length(2);
    });
  });
});
