/**
 * The revocation service (lib/services/revocation.ts) through the public
 * `sj.revocation.tokenState()`, `sj.revocation.familyApp` and `sj.revocation.blacklistFamily()`,
 * on the database of the run (SQLite, or TEST_DATABASE_URL): the cache's
 * positive entries first, then storage; what is asked of storage (nothing
 * when there is nothing to ask, only the apps that are on); a storage
 * without the one-query `tokenState` (an app's own) answering the same;
 * the family row a blacklisting writes.
 */
import { expect } from 'chai';
import { MemoryBlacklistCache, SimpleJWT } from '../../../lib';
import { SimpleJWT as CoreSimpleJWT } from '../../../lib/simplejwt';
import { type AppStorage, type FamilyApp, type BlacklistApp } from '../../../lib/extend';
import { sequelizeApps } from '../../../models';
import { defineModels } from '../../../models/define-models';
import { statementTimeout } from '../../../models/timeouts';
import { useTestDatabase, type TestDatabase } from '../../helpers/database';
import { SECRET, makeSJ } from '../../helpers/fixtures';

const CREATED = new Date('2026-01-01T10:00:00.000Z');
const EXPIRES = new Date('2999-01-01T00:00:00.000Z');
const ROTATED = new Date('2026-01-01T11:22:33.000Z');
const NOTHING = { blacklisted: false, familyBlacklisted: false, rotation: null };
const BOTH = { blacklist: true, tokenFamily: true };

/** a rotated into b; x blacklisted by logout; live; family fam-bl blacklisted, fam-ok not. */
async function seed(db: TestDatabase): Promise<void> {
  const { OutstandingToken, BlacklistedToken, TokenRotation, TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
  const row = (jti: string) => OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: CREATED, expires_at: EXPIRES });
  const a = await row('a');
  const b = await row('b');
  const x = await row('x');
  await row('live');
  for (const consumed of [a, x]) await BlacklistedToken.create({ token_id: consumed.id, blacklisted_at: ROTATED });
  await TokenRotation.create({ token_id: a.id, successor_id: b.id, rotated_at: ROTATED });
  await TokenFamily.create({ family_id: 'fam-ok', user_id: '1', created_at: CREATED, expires_at: null });
  const bad = await TokenFamily.create({ family_id: 'fam-bl', user_id: '1', created_at: CREATED, expires_at: null });
  await BlacklistedTokenFamily.create({ family_id: bad.id, blacklisted_at: ROTATED });
}

function withCache(db: TestDatabase, apps = BOTH) {
  const cache = new MemoryBlacklistCache();
  const { sj } = makeSJ({ sequelize: db.sequelize, apps, cache, cacheBlacklistedRefreshTokens: true, cacheBlacklistedFamilies: true });
  return { sj, cache };
}

describe('revocation: the cache first, then storage, asking only what is needed', () => {
  const openDatabase = useTestDatabase();

  it('a rotated token answers its rotation from storage, with both apps on', async () => {
    const db = await openDatabase();
    await seed(db);
    const { sj } = withCache(db);
    expect(await sj.revocation.tokenState('a', 'fam-ok')).to.deep.equal({
      blacklisted: true,
      familyBlacklisted: false,
      rotation: { successor: 'token-b', rotatedAt: ROTATED, successorRotated: false },
    });
  });

  it('a family found in the cache: the jti is still answered from storage (blacklisted, rotated), before its family', async () => {
    const db = await openDatabase();
    await seed(db);
    const { sj, cache } = withCache(db);
    await cache.set('sjwt_btf:fam-ok', 60);
    expect(await sj.revocation.tokenState('a', 'fam-ok')).to.deep.equal({
      blacklisted: true,
      familyBlacklisted: true,
      rotation: { successor: 'token-b', rotatedAt: ROTATED, successorRotated: false },
    });
    expect(await sj.revocation.tokenState('live', 'fam-ok')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
    expect(await sj.revocation.tokenState(null, 'fam-ok')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
  });

  it('a null jti or family never reads the cache (an entry for the id "null" is not theirs)', async () => {
    const db = await openDatabase();
    await seed(db);
    const { sj, cache } = withCache(db);
    await cache.set('sjwt_brt:null', 60);
    await cache.set('sjwt_btf:null', 60);
    expect(await sj.revocation.tokenState(null, 'fam-ok')).to.deep.equal(NOTHING);
    expect(await sj.revocation.tokenState('live', null)).to.deep.equal(NOTHING);
  });

  it("storage's positive answers are cached: the jti's and the family's", async () => {
    const db = await openDatabase();
    await seed(db);
    const { sj, cache } = withCache(db);
    expect((await sj.revocation.tokenState('live', 'fam-bl')).familyBlacklisted).to.equal(true);
    expect(await cache.has('sjwt_btf:fam-bl')).to.equal(true);
    expect((await sj.revocation.tokenState('x', null)).blacklisted).to.equal(true);
    expect(await cache.has('sjwt_brt:x')).to.equal(true);
    expect(await cache.has('sjwt_brt:live')).to.equal(false);
  });

  it('nothing to ask (no jti, no family, or only ids of apps that are off): no storage round trip, even with the database down', async () => {
    for (const [apps, jti, familyId] of [
      [BOTH, null, null],
      [{ blacklist: true, tokenFamily: false }, null, 'fam-bl'],
      [{ blacklist: false, tokenFamily: true }, 'x', null],
    ] as const) {
      const db = await openDatabase({ migrate: apps });
      const { sj } = makeSJ({ sequelize: db.sequelize, apps, cache: undefined });
      await db.sequelize.close();
      expect(await sj.revocation.tokenState(jti, familyId), JSON.stringify(apps)).to.deep.equal(NOTHING);
    }
  });

  it('the family app off: its storage is refused with a TypeError that names the setting', async () => {
    const apps = { blacklist: true, tokenFamily: false };
    const db = await openDatabase({ migrate: apps });
    const { sj } = makeSJ({ sequelize: db.sequelize, apps });
    expect(() => sj.revocation.familyApp).to.throw(TypeError, 'passport-simplejwt: the token family app is not enabled (apps: { tokenFamily: true })');
    expect(() => sj.revocation.blacklistApp).not.to.throw();
  });

  describe('a storage without tokenState (an app of its own): isBlacklisted, then isFamilyBlacklisted', () => {
    async function setup() {
      const db = await openDatabase();
      await seed(db);
      const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH, cache: undefined });
      const { blacklist, family } = sequelizeApps(sj);
      const asked: string[] = [];
      const recordingBlacklist: BlacklistApp = Object.assign(Object.create(blacklist) as BlacklistApp, {
        isBlacklisted: (jti: string) => {
          asked.push(`jti:${jti}`);
          return blacklist.isBlacklisted(jti);
        },
      });
      const recordingFamily: FamilyApp = Object.assign(Object.create(family) as FamilyApp, {
        isFamilyBlacklisted: (familyId: string) => {
          asked.push(`family:${familyId}`);
          return family.isFamilyBlacklisted(familyId);
        },
      });
      const storage: AppStorage = { blacklist: recordingBlacklist, family: recordingFamily };
      sj.useApps(storage);
      return { sj, asked };
    }

    it('a live token in a live family: both asked, nothing found', async () => {
      const { sj, asked } = await setup();
      expect(await sj.revocation.tokenState('live', 'fam-ok')).to.deep.equal(NOTHING);
      expect(asked).to.deep.equal(['jti:live', 'family:fam-ok']);
    });

    it('a blacklisted jti is answered before its family, which is not asked; no rotation from this storage', async () => {
      const { sj, asked } = await setup();
      expect(await sj.revocation.tokenState('x', 'fam-bl')).to.deep.equal({ blacklisted: true, familyBlacklisted: false, rotation: null });
      expect(await sj.revocation.tokenState('a', null)).to.deep.equal({ blacklisted: true, familyBlacklisted: false, rotation: null });
      expect(asked).to.deep.equal(['jti:x', 'jti:a']);
    });

    it('a blacklisted family of a live jti; a family alone; a jti alone', async () => {
      const { sj, asked } = await setup();
      expect(await sj.revocation.tokenState('live', 'fam-bl')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
      expect(await sj.revocation.tokenState(null, 'fam-bl')).to.deep.equal({ blacklisted: false, familyBlacklisted: true, rotation: null });
      expect(await sj.revocation.tokenState('live', null)).to.deep.equal(NOTHING);
      expect(asked).to.deep.equal(['jti:live', 'family:fam-bl', 'family:fam-bl', 'jti:live']);
    });
  });

  it('a storage without tokenState keeps its session metadata: the sessions of its logins are listed', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH, tokenFamilyEnabled: true });
    const { blacklist, family, sessions } = sequelizeApps(sj);
    sj.useApps({ blacklist, family, sessions });
    const refresh = await sj.RefreshToken.forUser({ id: 1 });
    await sj.sessions.start(refresh);
    expect((await sj.sessions.list(1, refresh.getFamilyId())).map((session) => [session.id, session.current])).to.deep.equal([[refresh.getFamilyId(), true]]);
  });

  it('rotate() without a deadline has storageTimeout from now: the token is consumed once, its successor recorded', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH, storageTimeout: 5 });
    const token = await sj.RefreshToken.forUser({ id: 1 });
    const successor = new sj.RefreshToken(); // as the refresh view makes it: recorded by the rotation itself
    successor.set('user_id', '1');
    expect(await sj.revocation.rotate(token, successor)).to.equal(true);
    expect(await sj.revocation.rotate(token, successor)).to.equal(false);
    expect((await sj.revocation.successorOf(token.jti()))?.successor).to.equal(String(successor));
    expect(await sj.revocation.isBlacklisted(token.jti())).to.equal(true);
  });

  it("rotate() of a session's token records the session's last use at the rotation", async () => {
    const db = await openDatabase();
    const { sj, clock } = makeSJ({ sequelize: db.sequelize, apps: BOTH, tokenFamilyEnabled: true });
    const token = await sj.RefreshToken.forUser({ id: 1 });
    await sj.sessions.start(token);
    const started = clock.now();
    clock.advance(600);
    const successor = new sj.RefreshToken();
    successor.set('user_id', '1');
    successor.set('family_id', token.getFamilyId());
    expect(successor.getFamilyId()).to.equal(token.getFamilyId());
    expect(await sj.revocation.rotate(token, successor)).to.equal(true);
    const [session] = await sj.sessions.list(1, token.getFamilyId());
    expect(session.lastUsedAt.getTime()).to.equal(clock.now().getTime());
    expect(session.lastUsedAt.getTime()).not.to.equal(started.getTime());
  });

  it('createFamily() of a token without a family id is refused with a TypeError that says so', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH });
    const error = await sj.revocation.createFamily(new sj.RefreshToken(), null).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.equal('passport-simplejwt: createFamily() needs a token with a family id');
  });

  it("blacklistFamily() records a new family with the token's user id, or none (a token without one, or with a null one)", async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: BOTH });
    const { TokenFamily } = defineModels(db.sequelize);
    const withUser = new sj.RefreshToken();
    withUser.set('user_id', 42);
    const withoutUser = new sj.RefreshToken();
    const nullUser = new sj.RefreshToken();
    nullUser.set('user_id', null);
    await sj.revocation.blacklistFamily(withUser, 'fam-42');
    await sj.revocation.blacklistFamily(withoutUser, 'fam-none');
    await sj.revocation.blacklistFamily(nullUser, 'fam-null');
    const users = Object.fromEntries((await TokenFamily.findAll()).map((row) => [row.family_id, row.user_id]));
    expect(users).to.deep.equal({ 'fam-42': '42', 'fam-none': null, 'fam-null': null });
    expect(await sj.revocation.isFamilyBlacklisted('fam-none')).to.equal(true);
  });
});

describe("an instance's apps storage: the sequelize setting's, or one installed with useApps()", () => {
  const openDatabase = useTestDatabase();

  it('the core class given a sequelize but no storage says so, at migrate() and at the first check; useApps() installs one that then serves', async () => {
    const db = await openDatabase();
    const core = new CoreSimpleJWT({ signingKey: SECRET, sequelize: db.sequelize, apps: { blacklist: true } });
    const noStorage = "passport-simplejwt: no storage for the 'sequelize' setting; construct SimpleJWT from the package entry ('passport-simplejwt')";
    const failure = (work: Promise<unknown>) =>
      work.then(
        () => 'resolved',
        (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`,
      );
    expect(await failure(core.migrate())).to.equal(`TypeError: ${noStorage}`);
    expect(await failure(core.revocation.isBlacklisted('a'))).to.equal(`TypeError: ${noStorage}`);
    const entry = new SimpleJWT({ signingKey: SECRET, sequelize: db.sequelize, apps: { blacklist: true } });
    core.useApps(sequelizeApps(entry));
    const refresh = await core.RefreshToken.forUser({ id: 1 });
    expect(await core.revocation.isBlacklisted(String(refresh.payload.jti))).to.equal(false);
    await refresh.blacklist();
    // Written through the installed storage: the entry's instance, on the same tables, sees it.
    expect(await entry.revocation.isBlacklisted(String(refresh.payload.jti))).to.equal(true);
    expect(await core.revocation.isBlacklisted(String(refresh.payload.jti))).to.equal(true);
  });

  it('migrate() without the sequelize setting names it; with it, resolves to the migrations run, none the second time', async () => {
    const refused = await new SimpleJWT({ signingKey: SECRET }).migrate().then(
      () => 'resolved',
      (e: unknown) => (e as Error).message,
    );
    expect(refused).to.equal("passport-simplejwt: migrate() needs the 'sequelize' setting");
    const db = await openDatabase({ migrate: false });
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    expect(await sj.migrate()).to.deep.equal(['token_blacklist.0001_initial', 'token_blacklist.0002_token_rotation']);
    expect(await sj.migrate()).to.deep.equal([]);
  });

  it("loginThrottle's database store needs the storage's counters: refused at construction when the storage has none", async () => {
    const db = await openDatabase();
    const options = { signingKey: SECRET, sequelize: db.sequelize, loginThrottle: { store: 'database' as const } };
    expect(() => new CoreSimpleJWT(options)).to.throw(TypeError, "passport-simplejwt: no storage for the 'sequelize' setting");
    const withoutCounters = () => ({ apps: () => sequelizeApps(makeSJ({ sequelize: db.sequelize }).sj), migrate: async () => [] });
    expect(() => new CoreSimpleJWT(options, withoutCounters)).to.throw(
      TypeError,
      "passport-simplejwt: the installed storage has no 'database' store for loginThrottle",
    );
    expect(new SimpleJWT(options).loginThrottle).not.to.equal(null);
  });

  it("the sequelize setting gives its storage the statements' timeout: storageTimeout, in milliseconds", async () => {
    const db = await openDatabase();
    new SimpleJWT({ signingKey: SECRET, sequelize: db.sequelize, storageTimeout: 7 });
    expect(statementTimeout(db.sequelize)).to.equal(7000);
  });
});
