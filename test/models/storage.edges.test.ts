import { expect } from 'chai';
import { Sequelize, type Options } from 'sequelize';
import { MemoryBlacklistCache } from '../../lib';
import { defineModels, flushExpiredFamilies, flushExpiredTokens } from '../../models';
import { testDatabaseUrl, useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';
import { expectRejected } from '../helpers/storage';

const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

describe('flush near now: only what has expired goes', () => {
  const openDatabase = useTestDatabase();

  /** Rows expiring this many milliseconds from `now` (negative: already expired). */
  const OFFSETS: ReadonlyArray<[string, number]> = [
    ['day-ago', -DAY],
    ['second-ago', -SECOND],
    ['now', 0],
    ['in-a-second', SECOND],
    ['in-a-minute', 60 * SECOND],
    ['in-an-hour', 3600 * SECOND],
    ['in-six-days', 6 * DAY],
    ['in-eight-days', 8 * DAY],
  ];
  const KEPT = ['in-a-minute', 'in-a-second', 'in-an-hour', 'in-eight-days', 'in-six-days'];

  it('flushExpiredTokens with an explicit now keeps every row expiring after it, to the second', async () => {
    const db = await openDatabase();
    const { OutstandingToken, BlacklistedToken } = defineModels(db.sequelize);
    const now = new Date('2026-06-15T10:20:30.000Z');
    for (const [jti, offset] of OFFSETS) {
      const row = await OutstandingToken.create({ jti, token: `t-${jti}`, user_id: '1', created_at: now, expires_at: new Date(now.getTime() + offset) });
      await BlacklistedToken.create({ token_id: row.id, blacklisted_at: now });
    }
    expect(await flushExpiredTokens(db.sequelize, { now })).to.equal(3);
    expect((await OutstandingToken.findAll({ order: [['jti', 'ASC']] })).map((r) => r.jti)).to.deep.equal(KEPT);
    expect(await BlacklistedToken.count()).to.equal(KEPT.length);
  });

  it('flushExpiredTokens by default reads the real clock: tokens expiring later this week stay', async () => {
    const db = await openDatabase();
    const { OutstandingToken } = defineModels(db.sequelize);
    const now = Date.now();
    // Five seconds of margin around "now": the flush reads its own clock a moment later.
    for (const [jti, offset] of [
      ['gone', -5 * SECOND],
      ['in-ten-seconds', 10 * SECOND],
      ['in-a-day', DAY],
      ['in-six-days', 6 * DAY],
    ] as const) {
      await OutstandingToken.create({ jti, token: `t-${jti}`, user_id: '1', created_at: new Date(now), expires_at: new Date(now + offset) });
    }
    expect(await flushExpiredTokens(db.sequelize)).to.equal(1);
    expect((await OutstandingToken.findAll({ order: [['jti', 'ASC']] })).map((r) => r.jti)).to.deep.equal(['in-a-day', 'in-six-days', 'in-ten-seconds']);
  });

  it('flushExpiredFamilies keeps families expiring after now, and those without expiry', async () => {
    const db = await openDatabase();
    const { TokenFamily } = defineModels(db.sequelize);
    const now = new Date('2026-06-15T10:20:30.000Z');
    for (const [id, offset] of OFFSETS) {
      await TokenFamily.create({ family_id: id, user_id: '1', created_at: now, expires_at: new Date(now.getTime() + offset) });
    }
    await TokenFamily.create({ family_id: 'forever', user_id: '1', created_at: now, expires_at: null });
    expect(await flushExpiredFamilies(db.sequelize, { now })).to.equal(3);
    expect((await TokenFamily.findAll({ order: [['family_id', 'ASC']] })).map((f) => f.family_id)).to.deep.equal(['forever', ...KEPT]);
    // And by default on the real clock: nothing of this week is expired yet, everything here was in 2026-06.
    const real = Date.now();
    await TokenFamily.create({ family_id: 'this-week', user_id: '1', created_at: new Date(real), expires_at: new Date(real + 3 * DAY) });
    await flushExpiredFamilies(db.sequelize);
    expect((await TokenFamily.findAll({ where: { family_id: 'this-week' } })).length).to.equal(1);
  });
});

describe('cacheTtlBlacklistedRefreshTokens: a non-default TTL is the one used', () => {
  const openDatabase = useTestDatabase();

  it('a blacklisted jti is remembered for exactly that long, then the database decides again', async () => {
    const db = await openDatabase();
    const { sj, clock, users } = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true },
      cache: undefined, // the default cache, on the frozen clock (also in the Redis cache run)
      cacheBlacklistedRefreshTokens: true,
      cacheTtlBlacklistedRefreshTokens: '2m',
      cacheTtlBlacklistedFamilies: 600,
    });
    expect(sj.settings.cacheTtlBlacklistedRefreshTokens).to.equal(120);
    const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
    await refresh.blacklist();
    await db.sequelize.query('DELETE FROM token_blacklist_blacklistedtoken'); // only the cache knows now
    clock.advance(119);
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
    clock.advance(1);
    await new sj.RefreshToken(String(refresh)).verify();
  });

  it('the TTL reaches the cache as given, in seconds', async () => {
    const db = await openDatabase();
    const ttls: number[] = [];
    const inner = new MemoryBlacklistCache();
    const cache = {
      has: (k: string) => inner.has(k),
      delete: (k: string) => inner.delete(k),
      set: (k: string, ttl: number) => (ttls.push(ttl), inner.set(k, ttl)),
    };
    const { sj, users } = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true },
      cache,
      cacheBlacklistedRefreshTokens: true,
      cacheTtlBlacklistedRefreshTokens: 45,
    });
    await (await sj.RefreshToken.forUser(users.users.get('1'))).blacklist();
    expect(ttls).to.deep.equal([45]);
  });
});

describe('the blacklist and family apps refuse a Sequelize whose timezone is not UTC where Django stores naive UTC', () => {
  const openDatabase = useTestDatabase();

  /** What the first stateful call answers on a Sequelize nothing listens behind (the check comes before any query). */
  async function firstUse(url: string, timezone: string): Promise<unknown> {
    const sequelize = new Sequelize(url, { logging: false, timezone, pool: { acquire: 2000 }, dialectOptions: { connectTimeout: 2000 } });
    try {
      const { sj, users } = makeSJ({ sequelize, apps: { blacklist: true } });
      return await sj.RefreshToken.forUser(users.users.get('1')).then(
        () => null,
        (e: unknown) => e,
      );
    } finally {
      await sequelize.close();
    }
  }

  for (const timezone of ['+02:00', '-05:00']) {
    it(`MySQL/MariaDB with timezone '${timezone}': a TypeError naming it at first use, before any query`, async () => {
      const err = await firstUse('mysql://root@127.0.0.1:1/none', timezone);
      expect(err).to.be.instanceOf(TypeError);
      expect((err as Error).message).to.equal(
        `passport-simplejwt: the Sequelize instance has timezone '${timezone}'; the blacklist and family apps need '+00:00' (the default) on mysql, where Django stores UTC`,
      );
    });
  }

  for (const timezone of ['+00:00', 'UTC', 'Etc/UTC', 'Z']) {
    it(`MySQL/MariaDB with timezone '${timezone}' passes the check (and then meets the unreachable server)`, async () => {
      const err = await firstUse('mysql://root@127.0.0.1:1/none', timezone);
      expect(err).to.be.instanceOf(Error);
      expect(err).not.to.be.instanceOf(TypeError);
    });
  }

  it("PostgreSQL with timezone '+02:00' passes the check (timestamptz holds the offset; then the unreachable server)", async () => {
    const err = await firstUse('postgres://postgres@127.0.0.1:1/none', '+02:00');
    expect(err).to.be.instanceOf(Error);
    expect(err).not.to.be.instanceOf(TypeError);
  });

  it('on the test database server: refused on MySQL/MariaDB, accepted on PostgreSQL (timestamptz)', async function () {
    const url = testDatabaseUrl();
    if (url === undefined) this.skip();
    const db = await openDatabase();
    const sequelize = new Sequelize(db.url.replace(/^mariadb:/i, 'mysql:'), { logging: false, timezone: '+02:00' });
    try {
      const { sj, users } = makeSJ({ sequelize, apps: { blacklist: true } });
      const work = sj.RefreshToken.forUser(users.users.get('1'));
      if (db.dialect === 'postgres') {
        const refresh = await work;
        await refresh.blacklist();
        await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
      } else {
        const err = await work.then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(TypeError);
        expect((err as Error).message).to.include("timezone '+02:00'");
      }
    } finally {
      await sequelize.close();
    }
  });
});

describe('flush in batches: batch size, pause, and the rows that go with a token or a family', () => {
  const openDatabase = useTestDatabase();
  const now = new Date('2026-06-15T10:20:30.000Z');
  const past = new Date(now.getTime() - DAY);
  const future = new Date(now.getTime() + DAY);

  /** The flush's own connection: on SQLite one without the foreign_keys pragma, so no cascade deletes the children for it (as on tables Django created). */
  async function withoutCascade<T>(db: TestDatabase, flush: (sequelize: Sequelize) => Promise<T>): Promise<T> {
    if (db.dialect !== 'sqlite') return flush(db.sequelize);
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: db.url.slice('sqlite://'.length), logging: false, foreignKeys: false } as Options);
    try {
      return await flush(sequelize);
    } finally {
      await sequelize.close();
    }
  }

  it('flushExpiredTokens deletes every expired token whatever the batch size, with its blacklist rows and the rotations on either side', async () => {
    for (const batchSize of [1, 2, 3, 5, 100]) {
      const db = await openDatabase();
      const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
      const rows = [];
      for (let i = 0; i < 5; i++) {
        rows.push(await OutstandingToken.create({ jti: `old-${i}`, token: `t-old-${i}`, user_id: '1', created_at: past, expires_at: past }));
      }
      const live = await OutstandingToken.create({ jti: 'live', token: 't-live', user_id: '1', created_at: past, expires_at: future });
      const other = await OutstandingToken.create({ jti: 'other', token: 't-other', user_id: '1', created_at: past, expires_at: future });
      await BlacklistedToken.create({ token_id: rows[0].id, blacklisted_at: past });
      await BlacklistedToken.create({ token_id: live.id, blacklisted_at: past });
      // An expired token rotated into a live one, a live one rotated into an expired one, and two live ones.
      await TokenRotation.create({ token_id: rows[1].id, successor_id: live.id, rotated_at: past });
      await TokenRotation.create({ token_id: live.id, successor_id: rows[2].id, rotated_at: past });
      await TokenRotation.create({ token_id: other.id, successor_id: live.id, rotated_at: past });
      expect(await withoutCascade(db, (sequelize) => flushExpiredTokens(sequelize, { now, batchSize, pauseMs: 0 })), `batch ${batchSize}`).to.equal(5);
      expect((await OutstandingToken.findAll({ order: [['jti', 'ASC']] })).map((r) => r.jti)).to.deep.equal(['live', 'other']);
      expect((await BlacklistedToken.findAll()).map((r) => r.token_id)).to.deep.equal([live.id]);
      expect((await TokenRotation.findAll()).map((r) => [r.token_id, r.successor_id])).to.deep.equal([[other.id, live.id]]);
      expect(await flushExpiredTokens(db.sequelize, { now, batchSize, pauseMs: 0 })).to.equal(0);
      await db.close();
    }
  });

  it('flushExpiredFamilies deletes every expired family whatever the batch size, with its blacklist rows and session rows', async () => {
    for (const batchSize of [1, 2, 4, 100]) {
      const db = await openDatabase();
      const { TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
      const families = [];
      for (const [id, expires] of [
        ['old-0', past],
        ['old-1', past],
        ['old-2', past],
        ['old-3', past],
        ['live', future],
        ['forever', null],
      ] as const) {
        families.push(await TokenFamily.create({ family_id: id, user_id: '1', created_at: past, expires_at: expires }));
      }
      for (const family of [families[0], families[4]]) await BlacklistedTokenFamily.create({ family_id: family.id, blacklisted_at: past });
      for (const family of [families[1], families[4], families[5]]) {
        await db.sequelize
          .getQueryInterface()
          .bulkInsert('passport_simplejwt_session', [{ family_id: family.id, created_at: past, last_used_at: past, user_agent: 'ua', ip: '127.0.0.1' }]);
      }
      expect(await withoutCascade(db, (sequelize) => flushExpiredFamilies(sequelize, { now, batchSize, pauseMs: 0 })), `batch ${batchSize}`).to.equal(4);
      expect((await TokenFamily.findAll({ order: [['family_id', 'ASC']] })).map((f) => f.family_id)).to.deep.equal(['forever', 'live']);
      expect((await BlacklistedTokenFamily.findAll()).map((r) => r.family_id)).to.deep.equal([families[4].id]);
      const [sessions] = await db.sequelize.query('SELECT family_id FROM passport_simplejwt_session ORDER BY family_id');
      expect((sessions as Array<{ family_id: unknown }>).map((s) => Number(s.family_id))).to.deep.equal([Number(families[4].id), Number(families[5].id)]);
      await db.close();
    }
  });

  it('pauses after each full batch: pauseMs as given, 25 ms by default on SQLite', async () => {
    const db = await openDatabase();
    const { OutstandingToken } = defineModels(db.sequelize);
    const seed = async () => {
      for (let i = 0; i < 3; i++) await OutstandingToken.create({ jti: `old-${i}`, token: `t-${i}`, user_id: '1', created_at: past, expires_at: past });
    };
    await seed();
    let started = Date.now();
    // Three full batches of one, each followed by a pause, then an empty one.
    expect(await flushExpiredTokens(db.sequelize, { now, batchSize: 1, pauseMs: 40 })).to.equal(3);
    expect(Date.now() - started).to.be.at.least(115);
    if (db.dialect === 'sqlite') {
      await seed();
      started = Date.now();
      expect(await flushExpiredTokens(db.sequelize, { now, batchSize: 1 })).to.equal(3);
      expect(Date.now() - started).to.be.at.least(70);
    }
  });

  it('refuses a batch size that is not a positive integer and a pause that is not a number of milliseconds, before deleting anything', async () => {
    const db = await openDatabase();
    const { OutstandingToken } = defineModels(db.sequelize);
    await OutstandingToken.create({ jti: 'old', token: 't', user_id: '1', created_at: past, expires_at: past });
    for (const batchSize of [0, -1, 1.5, Number.NaN]) {
      for (const flush of [flushExpiredTokens, flushExpiredFamilies]) {
        let caught: unknown;
        await flush(db.sequelize, { now, batchSize }).catch((err: unknown) => (caught = err));
        expect(caught, String(batchSize)).to.be.instanceOf(TypeError);
        expect((caught as Error).message).to.equal('passport-simplejwt: batchSize must be a positive integer');
      }
    }
    for (const pauseMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      for (const flush of [flushExpiredTokens, flushExpiredFamilies]) {
        let caught: unknown;
        await flush(db.sequelize, { now, pauseMs }).catch((err: unknown) => (caught = err));
        expect(caught, String(pauseMs)).to.be.instanceOf(TypeError);
        expect((caught as Error).message).to.equal('passport-simplejwt: pauseMs must be a number of milliseconds, 0 or more');
      }
    }
    expect(await OutstandingToken.count()).to.equal(1);
    expect(await flushExpiredTokens(db.sequelize, { now, batchSize: 1, pauseMs: 0 })).to.equal(1);
  });
});
