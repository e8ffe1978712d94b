import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { TokenError, type SimpleJWTOptions } from '../../lib';
import { BlacklistedTokenFamily, defineModels } from '../../models';
import { djangoTimestampSql, useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { expectRejected } from '../helpers/storage';

const HOUR = 3600;

describe('token family app (token_family tables)', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
      ...options,
    });
    return { db, ...made, alice: made.users.users.get('1')!, bob: made.users.users.get('2')! };
  }

  it('with both apps on, forUser(), outstand() and verify() return promises that resolve', async () => {
    const { sj, alice } = await setup({ tokenFamilyCheckOnAccess: true });
    const pending = sj.RefreshToken.forUser(alice);
    expect(pending).to.be.instanceOf(Promise);
    const refresh = await pending;
    const outstanding = refresh.outstand();
    expect(outstanding).to.be.instanceOf(Promise);
    expect((await outstanding)![0].jti).to.equal(refresh.jti());
    for (const call of [refresh.verify(), new sj.AccessToken(String(refresh.accessToken)).verify()]) {
      expect(call).to.be.instanceOf(Promise);
      await call;
    }
  });

  /** What rotation (the refresh serializer) does at token level: a new token with the family claims carried over. */
  function rotated<T extends { payload: Record<string, unknown> }>(sj: ReturnType<typeof makeSJ>['sj'], from: T) {
    const next = new sj.RefreshToken();
    for (const claim of ['user_id', 'family_id', 'family_exp']) if (claim in from.payload) next.set(claim, from.payload[claim]);
    return next;
  }

  it('RefreshToken.forUser starts a family: family_id (uuid4 hex) and family_exp, recorded as a TokenFamily', async () => {
    const { db, sj, clock, alice } = await setup({ tokenFamilyLifetime: '30d' });
    const refresh = await sj.RefreshToken.forUser(alice);
    const familyId = refresh.getFamilyId();
    expect(familyId).to.match(/^[0-9a-f]{32}$/);
    const expected = new Date(clock.now().getTime() + 30 * 24 * HOUR * 1000);
    expect(refresh.get('family_exp')).to.equal(expected.getTime() / 1000);
    expect(refresh.getFamilyExpirationDate()!.getTime()).to.equal(expected.getTime());
    const row = await defineModels(db.sequelize).TokenFamily.findOne({ where: { family_id: familyId! } });
    expect(row!.user_id).to.equal('1');
    expect(row!.created_at.getTime()).to.equal(clock.now().getTime());
    expect(row!.expires_at!.getTime()).to.equal(expected.getTime());
  });

  it('each login is its own family', async () => {
    const { sj, alice } = await setup();
    const one = await sj.RefreshToken.forUser(alice);
    const two = await sj.RefreshToken.forUser(alice);
    expect(one.getFamilyId()).to.not.equal(two.getFamilyId());
  });

  it('tokenFamilyLifetime null: no family_exp claim, a family that never expires', async () => {
    const { db, sj, alice } = await setup({ tokenFamilyLifetime: null });
    const refresh = await sj.RefreshToken.forUser(alice);
    expect(refresh.has('family_exp')).to.equal(false);
    const row = await defineModels(db.sequelize).TokenFamily.findOne({ where: { family_id: refresh.getFamilyId()! } });
    expect(row!.expires_at).to.equal(null);
  });

  it('no family claims when tokenFamilyEnabled is off, even with the app on', async () => {
    const { db, sj, alice } = await setup({ tokenFamilyEnabled: false });
    const refresh = await sj.RefreshToken.forUser(alice);
    expect(refresh.getFamilyId()).to.equal(null);
    expect(await defineModels(db.sequelize).TokenFamily.count()).to.equal(0);
  });

  it('access tokens carry family_id (their session, #24) and family_exp only with tokenFamilyCheckOnAccess', async () => {
    const plain = await setup();
    const refresh = await plain.sj.RefreshToken.forUser(plain.alice);
    expect(refresh.accessToken.get('family_id')).to.equal(refresh.getFamilyId());
    expect(refresh.accessToken.has('family_exp')).to.equal(false);
    const checked = await setup({ tokenFamilyCheckOnAccess: true });
    const refresh2 = await checked.sj.RefreshToken.forUser(checked.alice);
    expect(refresh2.accessToken.get('family_id')).to.equal(refresh2.getFamilyId());
    expect(refresh2.accessToken.get('family_exp')).to.equal(refresh2.get('family_exp'));
  });

  it('a rotated token keeps the family and is refused once the family expires, before its own exp', async () => {
    const { sj, clock, alice } = await setup({ tokenFamilyLifetime: 2 * HOUR, refreshTokenLifetime: '1d' });
    const first = await sj.RefreshToken.forUser(alice);
    clock.advance(HOUR);
    const next = rotated(sj, first);
    expect(next.getFamilyId()).to.equal(first.getFamilyId());
    await new sj.RefreshToken(String(next)).verify();
    clock.advance(HOUR + 1);
    expect(() => new sj.RefreshToken(String(next))).to.throw(TokenError, 'Token family has expired');
  });

  it('blacklistFamily() is idempotent, resolves to [BlacklistedTokenFamily, created], and refuses every token of the family', async () => {
    const { sj, clock, alice } = await setup();
    const first = await sj.RefreshToken.forUser(alice);
    const next = rotated(sj, first);
    const other = await sj.RefreshToken.forUser(alice);
    const [row, created] = await first.blacklistFamily();
    expect(created).to.equal(true);
    expect(row).to.be.instanceOf(BlacklistedTokenFamily);
    expect(row.blacklisted_at.getTime()).to.equal(clock.now().getTime());
    const [again, createdAgain] = await next.blacklistFamily();
    expect(createdAgain).to.equal(false);
    expect(String(again.id)).to.equal(String(row.id));
    await expectRejected(new sj.RefreshToken(String(first)).verify(), 'Token family is blacklisted');
    await expectRejected(new sj.RefreshToken(String(next)).verify(), 'Token family is blacklisted');
    await new sj.RefreshToken(String(other)).verify();
  });

  it("blacklistFamily() again answers that family's own row when other families are blacklisted too", async () => {
    const { sj, alice } = await setup();
    const before = await sj.RefreshToken.forUser(alice);
    const mine = await sj.RefreshToken.forUser(alice);
    const [beforeRow] = await before.blacklistFamily();
    const [row, created] = await mine.blacklistFamily();
    expect(created).to.equal(true);
    const [again, createdAgain] = await new sj.RefreshToken(String(mine)).blacklistFamily();
    expect(createdAgain).to.equal(false);
    expect(String(again.id)).to.equal(String(row.id));
    expect(String(again.id)).to.not.equal(String(beforeRow.id));
  });

  it("blacklistAllForUser() blacklists the user's live families and those that never expire, not the expired ones, and counts them", async () => {
    const { db, sj, clock, alice } = await setup({ tokenFamilyLifetime: HOUR });
    const expired = await sj.RefreshToken.forUser(alice);
    clock.advance(2 * HOUR);
    const live = await sj.RefreshToken.forUser(alice);
    const { TokenFamily, BlacklistedTokenFamily: Blacklisted } = defineModels(db.sequelize);
    await TokenFamily.create({ family_id: 'forever', user_id: '1', created_at: clock.now(), expires_at: null });
    await TokenFamily.create({ family_id: 'bobs', user_id: '2', created_at: clock.now(), expires_at: null });
    // Both refresh tokens are within their own lifetime (a day); only the first family has expired.
    expect(await sj.revocation.blacklistAllForUser('1')).to.deep.equal({ tokens: 2, families: 2 });
    const rows = await Blacklisted.findAll({ include: [{ model: TokenFamily, as: 'family' }] });
    const families = rows.map((row) => (row as unknown as { family: { family_id: string } }).family.family_id).sort();
    expect(families).to.deep.equal(['forever', live.getFamilyId()!].sort());
    expect(families).to.not.include(expired.getFamilyId());
  });

  it('concurrent blacklistFamily() calls give exactly one created', async () => {
    const { sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const results = await Promise.all(Array.from({ length: 10 }, () => new sj.RefreshToken(String(refresh)).blacklistFamily()));
    expect(results.filter(([, created]) => created)).to.have.length(1);
  });

  it('blacklistFamily() of a family never recorded here (minted elsewhere) records it first', async () => {
    const { db, sj, alice } = await setup();
    const elsewhere = makeSJ({ apps: { blacklist: false } }).sj;
    const foreign = new elsewhere.RefreshToken();
    foreign.set('user_id', '1').set('family_id', 'f'.repeat(32)).set('family_exp', foreign.get('exp'));
    const decoded = new sj.RefreshToken(String(foreign));
    const [, created] = await decoded.blacklistFamily();
    expect(created).to.equal(true);
    const family = await defineModels(db.sequelize).TokenFamily.findOne({ where: { family_id: 'f'.repeat(32) } });
    expect(family!.user_id).to.equal('1');
    expect(family!.expires_at!.getTime()).to.equal((foreign.get('exp') as number) * 1000);
    await expectRejected(decoded.verify(), 'Token family is blacklisted');
    void alice;
  });

  it('a token without family_id (minted before families were enabled) still works; blacklistFamily() refuses it', async () => {
    const { sj, alice } = await setup();
    const before = await makeSJ({ apps: { blacklist: false } }).sj.RefreshToken.forUser(alice);
    const decoded = new sj.RefreshToken(String(before));
    await decoded.verify();
    expect(() => decoded.checkFamilyExp()).to.not.throw();
    await expectRejected(decoded.blacklistFamily(), 'Token has no family ID');
  });

  it('access tokens are refused with their family only with tokenFamilyCheckOnAccess', async () => {
    const checked = await setup({ tokenFamilyCheckOnAccess: true });
    const refresh = await checked.sj.RefreshToken.forUser(checked.alice);
    const access = String(refresh.accessToken);
    await new checked.sj.AccessToken(access).verify();
    await refresh.blacklistFamily();
    await expectRejected(new checked.sj.AccessToken(access).verify(), 'Token family is blacklisted');

    const unchecked = await setup({ tokenFamilyCheckOnAccess: false });
    const refresh2 = await unchecked.sj.RefreshToken.forUser(unchecked.alice);
    const access2 = String(refresh2.accessToken);
    await refresh2.blacklistFamily();
    await new unchecked.sj.AccessToken(access2).verify();
  });

  it('an access token of an expired family is refused with tokenFamilyCheckOnAccess', async () => {
    const { sj, clock, alice } = await setup({ tokenFamilyCheckOnAccess: true, tokenFamilyLifetime: 60, accessTokenLifetime: '5m' });
    const access = String((await sj.RefreshToken.forUser(alice)).accessToken);
    clock.advance(61);
    expect(() => new sj.AccessToken(access)).to.throw(TokenError, 'Token family has expired');
  });

  it('refuses a token whose family a Django service blacklisted by writing the tables directly', async () => {
    const { db, sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const [family] = await db.sequelize.query<{ id: number | string }>(`SELECT id FROM token_family_tokenfamily WHERE family_id = '${refresh.getFamilyId()}'`, {
      type: QueryTypes.SELECT,
    });
    await db.sequelize.query(
      `INSERT INTO token_family_blacklistedtokenfamily (family_id, blacklisted_at) VALUES (${Number(family.id)}, ${djangoTimestampSql(db.dialect, new Date('2026-01-01T11:59:00.5Z'))})`,
    );
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token family is blacklisted');
  });
});
