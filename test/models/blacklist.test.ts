import { expect } from 'chai';
import { RefreshTokenBlacklistedError, ServiceUnavailable, type SimpleJWTOptions } from '../../lib';
import { defineModels, OutstandingToken, BlacklistedToken, sequelizeApps } from '../../models';
import { djangoTimestampSql, useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { djangoBlacklist, expectRejected } from '../helpers/storage';

describe('blacklist app (token_blacklist tables)', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, ...options });
    const alice = made.users.users.get('1')!;
    return { db, ...made, alice };
  }

  it('forUser records a refresh token as outstanding, with the user id, the encoded token and its times', async () => {
    const { db, sj, clock, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const { OutstandingToken: Outstanding } = defineModels(db.sequelize);
    const rows = await Outstanding.findAll();
    expect(rows).to.have.length(1);
    const [row] = rows;
    expect(row).to.be.instanceOf(OutstandingToken);
    expect(row.jti).to.equal(refresh.jti());
    expect(row.user_id).to.equal('1');
    expect(row.token).to.equal(String(refresh));
    expect(row.created_at!.getTime()).to.equal(clock.now().getTime());
    expect(row.expires_at.getTime()).to.equal((refresh.get('exp') as number) * 1000);
  });

  it('forUser records sliding tokens too, but not access tokens', async () => {
    const { db, sj, alice } = await setup();
    const sliding = await sj.SlidingToken.forUser(alice);
    await sj.AccessToken.forUser(alice);
    const rows = await defineModels(db.sequelize).OutstandingToken.findAll();
    expect(rows.map((r) => r.jti)).to.deep.equal([sliding.jti()]);
  });

  it('records nothing when the blacklist app is off', async () => {
    const db = await openDatabase();
    const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: false } });
    const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
    await refresh.verify();
    expect(await defineModels(db.sequelize).OutstandingToken.count()).to.equal(0);
  });

  it('outstand() is get-or-create by jti', async () => {
    const { sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const [row, created] = (await refresh.outstand())!;
    expect(created).to.equal(false);
    expect(row.jti).to.equal(refresh.jti());
  });

  it("outstand() and blacklist() of a token already recorded answer that token's own rows among others", async () => {
    const { sj, alice } = await setup();
    const other = await sj.RefreshToken.forUser(alice);
    const mine = await sj.RefreshToken.forUser(alice);
    const [otherRow] = await other.blacklist();
    const [row, created] = (await mine.outstand())!;
    expect(created).to.equal(false);
    expect(row.jti).to.equal(mine.jti());
    const [blacklisted] = await mine.blacklist();
    const [again, createdAgain] = await new sj.RefreshToken(String(mine)).blacklist();
    expect(createdAgain).to.equal(false);
    expect(String(again.id)).to.equal(String(blacklisted.id));
    expect(String(again.token_id)).to.equal(String(row.id));
    expect(String(again.id)).to.not.equal(String(otherRow.id));
  });

  it("sequelizeApps() without the 'sequelize' setting says so", () => {
    const { sj } = makeSJ();
    expect(() => sequelizeApps(sj)).to.throw(TypeError, "passport-simplejwt: the blacklist and family apps need the 'sequelize' setting");
  });

  it('user_id reads null when the row has none or the column was not loaded', async () => {
    const { db } = await setup();
    const { OutstandingToken: Outstanding } = defineModels(db.sequelize);
    const at = new Date('2026-01-01T00:00:00Z');
    await Outstanding.create({ jti: 'anonymous', token: 't', user_id: null, created_at: at, expires_at: at });
    await Outstanding.create({ jti: 'numbered', token: 't', user_id: '12', created_at: at, expires_at: at });
    expect((await Outstanding.findOne({ where: { jti: 'anonymous' } }))!.user_id).to.equal(null);
    expect((await Outstanding.findOne({ attributes: ['id'], where: { jti: 'numbered' } }))!.user_id).to.equal(null);
    expect((await Outstanding.findOne({ where: { jti: 'numbered' } }))!.user_id).to.equal('12');
  });

  it('blacklist() is idempotent and resolves to [BlacklistedToken, created]', async () => {
    const { sj, clock, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const [first, created] = await refresh.blacklist();
    expect(created).to.equal(true);
    expect(first).to.be.instanceOf(BlacklistedToken);
    expect(first.blacklisted_at.getTime()).to.equal(clock.now().getTime());
    clock.advance(60);
    const [second, createdAgain] = await refresh.blacklist();
    expect(createdAgain).to.equal(false);
    expect(String(second.id)).to.equal(String(first.id));
    expect(second.blacklisted_at.getTime()).to.equal(first.blacklisted_at.getTime());
  });

  it('concurrent blacklist() calls of one token give exactly one created', async () => {
    const { sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    const copies = Array.from({ length: 10 }, () => new sj.RefreshToken(String(refresh)));
    const results = await Promise.all(copies.map((t) => t.blacklist()));
    expect(results.filter(([, created]) => created)).to.have.length(1);
    expect(new Set(results.map(([row]) => String(row.id))).size).to.equal(1);
  });

  it('blacklist() of a token never recorded (minted before the app was on) records it first', async () => {
    const { db, sj, alice } = await setup();
    const before = makeSJ({ apps: { blacklist: false } }).sj;
    const old = await before.RefreshToken.forUser(alice);
    const decoded = new sj.RefreshToken(String(old));
    const [, created] = await decoded.blacklist();
    expect(created).to.equal(true);
    const row = await defineModels(db.sequelize).OutstandingToken.findOne({ where: { jti: old.jti() } });
    expect(row?.token).to.equal(String(old));
    await expectRejected(decoded.verify(), 'Token is blacklisted');
  });

  it('checkBlacklist() and verify() refuse a blacklisted token; the I/O-free constructor does not look', async () => {
    const { sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    await refresh.checkBlacklist();
    await refresh.blacklist();
    await expectRejected(refresh.checkBlacklist(), 'Token is blacklisted');
    // The class tells reuse apart from other token failures without reading the message.
    const err = await refresh.checkBlacklist().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RefreshTokenBlacklistedError);
    const decoded = new sj.RefreshToken(String(refresh));
    await expectRejected(decoded.verify(), 'Token is blacklisted');
  });

  it('a blacklisted sliding token is refused', async () => {
    const { sj, alice } = await setup();
    const sliding = await sj.SlidingToken.forUser(alice);
    await sliding.blacklist();
    await expectRejected(new sj.SlidingToken(String(sliding)).verify(), 'Token is blacklisted');
  });

  it('other tokens of the same user keep working', async () => {
    const { sj, alice } = await setup();
    const one = await sj.RefreshToken.forUser(alice);
    const two = await sj.RefreshToken.forUser(alice);
    await one.blacklist();
    await new sj.RefreshToken(String(two)).verify();
  });

  it('refuses a refresh token that a Django service blacklisted by writing the tables directly', async () => {
    const { db, sj, alice } = await setup();
    const minted = await makeSJ({ apps: { blacklist: false } }).sj.RefreshToken.forUser(alice);
    await djangoBlacklist(db, minted.jti(), String(minted), new Date((minted.get('exp') as number) * 1000));
    await expectRejected(new sj.RefreshToken(String(minted)).verify(), 'Token is blacklisted');
    // and blacklisting it again here is a no-op on Django's row
    const [row, created] = await new sj.RefreshToken(String(minted)).blacklist();
    expect(created).to.equal(false);
    expect(row.blacklisted_at.toISOString()).to.equal('2026-01-01T11:30:00.123Z');
  });

  it('reads times a Django service wrote, with or without microseconds', async () => {
    const { db } = await setup();
    const exact = new Date('2026-01-02T12:00:00.000Z');
    await db.sequelize.query(
      `INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at, user_id) VALUES ('django-1', 'x', NULL, ${djangoTimestampSql(db.dialect, exact).replace('.000000', '')}, '7')`,
    );
    const row = await defineModels(db.sequelize).OutstandingToken.findOne({ where: { jti: 'django-1' } });
    expect(row!.expires_at.toISOString()).to.equal(exact.toISOString());
    expect(row!.created_at).to.equal(null);
    expect(row!.user_id).to.equal('7');
  });

  it('stores user ids of any kind as strings: numbers and UUIDs', async () => {
    const db = await openDatabase();
    const uuid = '6f1c1d2e-8a57-4a59-9d59-2d7c3f1b5a10';
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    await sj.RefreshToken.forUser({ id: uuid });
    await sj.RefreshToken.forUser({ id: 12345678901 });
    const rows = await defineModels(db.sequelize).OutstandingToken.findAll({ order: [['id', 'ASC']] });
    expect(rows.map((r) => r.user_id)).to.deep.equal([uuid, '12345678901']);
  });

  it('a failing database is a ServiceUnavailable (503), never a pass', async () => {
    const { db, sj, alice } = await setup();
    const refresh = await sj.RefreshToken.forUser(alice);
    await db.sequelize.close();
    const err = await refresh.verify().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ServiceUnavailable);
    expect((err as ServiceUnavailable).status).to.equal(503);
  });

  it('successorOf() names the token a rotation issued, when, and whether that one was rotated in turn; null for a token never rotated or unknown', async () => {
    const { sj, clock, alice } = await setup({ apps: { blacklist: true, tokenFamily: true } });
    const first = await sj.RefreshToken.forUser(alice);
    expect(await sj.revocation.successorOf(first.jti()), 'not rotated').to.equal(null);
    expect(await sj.revocation.successorOf('no-such-jti'), 'unknown').to.equal(null);
    clock.advance(30);
    const rotatedAt = clock.now();
    const second = new sj.RefreshToken();
    second.set('user_id', '1');
    expect(await sj.revocation.rotate(first, second)).to.equal(true);
    expect(await sj.revocation.successorOf(first.jti())).to.deep.equal({ successor: String(second), rotatedAt, successorRotated: false });
    expect(await sj.revocation.successorOf(second.jti()), 'the successor is not rotated yet').to.equal(null);
    clock.advance(30);
    const third = new sj.RefreshToken();
    third.set('user_id', '1');
    expect(await sj.revocation.rotate(second, third)).to.equal(true);
    expect(await sj.revocation.successorOf(first.jti())).to.deep.equal({ successor: String(second), rotatedAt, successorRotated: true });
    expect((await sj.revocation.successorOf(second.jti()))?.successor).to.equal(String(third));
  });

  it('blacklistUser() blacklists the live tokens of the user not yet blacklisted and counts them; expired ones and other users are left', async () => {
    const { db, sj, clock, alice } = await setup({ refreshTokenLifetime: 60 });
    const expired = await sj.RefreshToken.forUser(alice);
    clock.advance(120);
    const live = await sj.RefreshToken.forUser(alice);
    const done = await sj.RefreshToken.forUser(alice);
    await done.blacklist();
    const bobs = await sj.RefreshToken.forUser({ id: 2 });
    expect(await sj.revocation.blacklistAllForUser('1')).to.deep.equal({ tokens: 1, families: 0 });
    const { OutstandingToken: Outstanding, BlacklistedToken: Blacklisted } = defineModels(db.sequelize);
    const blacklisted = await Blacklisted.findAll({ include: [{ model: Outstanding, as: 'token' }] });
    const jtis = blacklisted.map((row) => (row as unknown as { token: OutstandingToken }).token.jti).sort();
    expect(jtis).to.deep.equal([live.jti(), done.jti()].sort());
    expect(jtis).to.not.include(expired.jti());
    expect(jtis).to.not.include(bobs.jti());
  });
});
