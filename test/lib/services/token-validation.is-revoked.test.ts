/**
 * One revocation path (issue #23): every full check of a presented token
 * asks storage once (`sj.validation.tokenState`) and the `isRevoked` setting
 * decides. A subclass overriding `checkBlacklist()` / `checkFamilyBlacklist()`
 * (the old way to customise, which moved every refresh onto a slower path)
 * changes only direct calls to those methods, as docs/apps.md says.
 */
import { expect } from 'chai';
import { type IsRevoked, type SimpleJWTOptions, type TokenState } from '../../../lib';
import { type AppStorage } from '../../../lib/extend';
import { sequelizeApps } from '../../../models';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeSJ, type TestUser } from '../../helpers/fixtures';
import { expectRejected } from '../../helpers/storage';

describe('verify(): one round trip, and the isRevoked setting decides', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db: TestDatabase = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true, ...options });
    // Counts what storage is asked: the one tokenState query, and the two single checks (never used by verify()).
    const storage = sequelizeApps(made.sj);
    const asked: string[] = [];
    const counted: AppStorage = {
      blacklist: Object.assign(Object.create(storage.blacklist) as AppStorage['blacklist'], {
        isBlacklisted: (jti: string) => (asked.push(`isBlacklisted:${jti}`), storage.blacklist.isBlacklisted(jti)),
      }),
      family: Object.assign(Object.create(storage.family) as AppStorage['family'], {
        isFamilyBlacklisted: (id: string) => (asked.push(`isFamilyBlacklisted:${id}`), storage.family.isFamilyBlacklisted(id)),
      }),
      tokenState: (jti, familyId) => (asked.push(`tokenState:${jti}:${familyId}`), storage.tokenState!(jti, familyId)),
    };
    made.sj.useApps(counted);
    return { ...made, asked, alice: made.users.users.get('1')! };
  }

  it('the hook sees every full check with the stored state, and decides; the family is refused too', async () => {
    const seen: Array<[string, TokenState]> = [];
    const audit: IsRevoked = (token, state) => {
      seen.push([token.jti(), state]);
      return state.blacklisted || state.familyBlacklisted;
    };
    const { sj, alice } = await setup({ isRevoked: audit });
    const refresh = await sj.RefreshToken.forUser(alice);
    await new sj.RefreshToken(String(refresh)).verify();
    expect(seen).to.deep.equal([[refresh.jti(), { blacklisted: false, familyBlacklisted: false, rotation: null }]]);
    await refresh.blacklist();
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
    expect(seen[1][1].blacklisted).to.equal(true);

    const other = await sj.RefreshToken.forUser(alice);
    await other.blacklistFamily();
    await expectRejected(new sj.RefreshToken(String(other)).verify(), 'Token family is blacklisted');
  });

  it('a hook that lets every token through is obeyed (the app owns the decision)', async () => {
    const { sj, alice } = await setup({ isRevoked: () => false });
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.blacklist();
    await refresh.blacklistFamily();
    await new sj.RefreshToken(String(refresh)).verify();
    const strict = makeSJ({ sequelize: sj.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true }).sj;
    await expectRejected(new strict.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
  });

  it('a hook lenient on families: a blacklisted family passes, a blacklisted token does not', async () => {
    const { sj, alice } = await setup({ isRevoked: (_token, state) => state.blacklisted });
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.blacklistFamily();
    await new sj.RefreshToken(String(refresh)).verify();
    await refresh.blacklist();
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
  });

  it('a hook refusing a token storage holds nothing against: 401 Token is revoked, not reuse', async () => {
    const { sj, alice } = await setup({ isRevoked: (token) => token.get('user_id') === '1' });
    const refresh = await sj.RefreshToken.forUser(alice);
    const err = await new sj.RefreshToken(String(refresh)).verify().catch((e: unknown) => e);
    expect(err).to.have.property('message', 'Token is revoked');
    expect(err).to.have.property('status', 401);
    expect(err).not.to.have.property('state');
  });

  it('a hook answering something other than a boolean is a bug, not a pass', async () => {
    const { sj, alice } = await setup({ isRevoked: (() => undefined) as unknown as IsRevoked });
    const refresh = await sj.RefreshToken.forUser(alice);
    const err = await new sj.RefreshToken(String(refresh)).verify().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    expect(err).to.have.property('message', "passport-simplejwt: 'isRevoked' must answer true or false (or a promise of one); it answered undefined");
  });

  it('only the checks of the enabled apps and settings are asked, in one query', async () => {
    const onlyBlacklist = await setup({ tokenFamilyEnabled: false });
    const refresh = await onlyBlacklist.sj.RefreshToken.forUser(onlyBlacklist.alice);
    onlyBlacklist.asked.length = 0;
    await new onlyBlacklist.sj.RefreshToken(String(refresh)).verify();
    expect(onlyBlacklist.asked).to.deep.equal([`tokenState:${refresh.jti()}:null`]);

    const onlyFamily = await setup({ apps: { tokenFamily: true } });
    const inFamily = await onlyFamily.sj.RefreshToken.forUser(onlyFamily.alice);
    onlyFamily.asked.length = 0;
    await new onlyFamily.sj.RefreshToken(String(inFamily)).verify();
    expect(onlyFamily.asked).to.deep.equal([`tokenState:null:${inFamily.getFamilyId()}`]);
  });

  describe('a subclass overriding checkBlacklist() / checkFamilyBlacklist() (the old trap)', () => {
    it('verify() still asks storage once and never calls the overrides; the hook still decides', async () => {
      const calls: string[] = [];
      // The default in-memory cache, caching nothing (also in the Redis-cache run): every check reaches storage, counted.
      const { sj, alice, asked } = await setup({ isRevoked: (_token, state) => state.blacklisted, cache: undefined });
      class Overriding extends sj.RefreshToken {
        override async checkBlacklist(): Promise<void> {
          calls.push('checkBlacklist');
        }
        override async checkFamilyBlacklist(): Promise<void> {
          calls.push('checkFamilyBlacklist');
        }
      }
      const refresh = await Overriding.forUser(alice);
      await refresh.blacklistFamily();
      asked.length = 0;
      await new Overriding(String(refresh)).verify(); // the hook forgives the family
      expect(asked).to.deep.equal([`tokenState:${refresh.jti()}:${refresh.getFamilyId()}`]);
      await refresh.blacklist();
      asked.length = 0;
      await expectRejected(new Overriding(String(refresh)).verify(), 'Token is blacklisted');
      expect(asked).to.deep.equal([`tokenState:${refresh.jti()}:${refresh.getFamilyId()}`]);
      expect(calls).to.deep.equal([]);
    });

    it('the overrides answer direct calls; the package methods read the same tokenState', async () => {
      const { sj, alice, asked } = await setup({ cache: undefined });
      class Lenient extends sj.RefreshToken {
        override async checkFamilyBlacklist(): Promise<void> {}
      }
      const refresh = await Lenient.forUser(alice);
      await refresh.blacklistFamily();
      await refresh.blacklist();
      await new Lenient(String(refresh)).checkFamilyBlacklist();
      await expectRejected(new Lenient(String(refresh)).verify(), 'Token is blacklisted');
      asked.length = 0;
      await expectRejected(new sj.RefreshToken(String(refresh)).checkFamilyBlacklist(), 'Token family is blacklisted');
      await expectRejected(new sj.RefreshToken(String(refresh)).checkBlacklist(), 'Token is blacklisted');
      expect(asked).to.deep.equal([`tokenState:null:${refresh.getFamilyId()}`, `tokenState:${refresh.jti()}:null`]);
    });
  });
});

describe('tokenState(): a check asked of an app that is off', () => {
  async function rejection(work: Promise<unknown>): Promise<unknown> {
    return work.then(
      () => undefined,
      (err: unknown) => err,
    );
  }

  it('is refused with the TypeError naming the setting, not answered "not revoked"', async () => {
    const { sj } = makeSJ();
    const token = new sj.RefreshToken();
    token.set('family_id', 'a-family');
    const blacklist = await rejection(sj.validation.tokenState(token, { blacklist: true, family: false }));
    expect(blacklist).to.be.instanceOf(TypeError);
    expect((blacklist as Error).message).to.equal('passport-simplejwt: the blacklist app is not enabled (apps: { blacklist: true })');
    const family = await rejection(sj.validation.tokenState(token, { blacklist: false, family: true }));
    expect(family).to.be.instanceOf(TypeError);
    expect((family as Error).message).to.equal('passport-simplejwt: the token family app is not enabled (apps: { tokenFamily: true })');
  });
});
