import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { defineModels, flushExpiredTokens, migrate, MIGRATIONS_TABLE } from '../../models';
import { useTestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';
import { createDjangoTables } from '../helpers/django-schema';
import { djangoBlacklist, expectRejected } from '../helpers/storage';

const ALL = ['token_blacklist.0001_initial', 'token_blacklist.0002_token_rotation', 'token_family.0001_initial', 'token_family.0002_sessions'];
const TABLES = [
  'token_blacklist_outstandingtoken',
  'token_blacklist_blacklistedtoken',
  'passport_simplejwt_tokenrotation',
  'token_family_tokenfamily',
  'token_family_blacklistedtokenfamily',
  'passport_simplejwt_session',
];

async function tableExists(sequelize: Sequelize, table: string): Promise<boolean> {
  return sequelize.getQueryInterface().tableExists(table);
}

async function indexedColumns(sequelize: Sequelize, table: string): Promise<string[]> {
  const indexes = (await sequelize.getQueryInterface().showIndex(table)) as Array<{ fields: Array<{ attribute: string }> }>;
  return indexes.map((index) => index.fields.map((f) => f.attribute).join(','));
}

describe('migrations (umzug, passport_simplejwt_migrations)', () => {
  const openDatabase = useTestDatabase();

  it('sj.migrate() creates the tables of the enabled apps in an empty database, then has nothing to do', async () => {
    const db = await openDatabase({ migrate: false });
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true } });
    expect(await sj.migrate()).to.deep.equal(ALL);
    for (const table of TABLES) expect(await tableExists(db.sequelize, table), table).to.equal(true);
    expect(await tableExists(db.sequelize, MIGRATIONS_TABLE)).to.equal(true);
    expect(await indexedColumns(db.sequelize, 'token_blacklist_outstandingtoken')).to.include.members(['jti', 'expires_at', 'user_id']);
    expect(await indexedColumns(db.sequelize, 'token_family_tokenfamily')).to.include.members(['family_id', 'expires_at', 'user_id']);
    expect(await sj.migrate()).to.deep.equal([]);
  });

  it('creates only the tables of the enabled apps; enabling another app later migrates it', async () => {
    const db = await openDatabase({ migrate: false });
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    expect(await sj.migrate()).to.deep.equal(ALL.slice(0, 2));
    expect(await tableExists(db.sequelize, 'token_family_tokenfamily')).to.equal(false);
    const later = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true } }).sj;
    expect(await later.migrate()).to.deep.equal(['token_family.0001_initial', 'token_family.0002_sessions']);
    expect(await tableExists(db.sequelize, 'token_family_blacklistedtokenfamily')).to.equal(true);
  });

  it('upgrades a database created by an earlier migration, keeping its rows', async () => {
    const db = await openDatabase({ migrate: false });
    expect(await migrate(db.sequelize, { blacklist: true }, { to: 'token_blacklist.0001_initial' })).to.deep.equal(ALL.slice(0, 1));
    expect(await tableExists(db.sequelize, 'passport_simplejwt_tokenrotation')).to.equal(false);
    const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: false });
    const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
    await refresh.blacklist();

    expect(await sj.migrate()).to.deep.equal(ALL.slice(1));
    expect(await tableExists(db.sequelize, 'passport_simplejwt_tokenrotation')).to.equal(true);
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
    const { TokenRotation, OutstandingToken } = defineModels(db.sequelize);
    const row = await OutstandingToken.findOne({ where: { jti: refresh.jti() } });
    const successor = await sj.RefreshToken.forUser(users.users.get('1'));
    const next = await OutstandingToken.findOne({ where: { jti: successor.jti() } });
    await TokenRotation.create({ token_id: row!.id, successor_id: next!.id, rotated_at: sj.now() });
    expect(await TokenRotation.count()).to.equal(1);
  });

  it('keeps tables a Django service created, adds its indexes, and works on them (integer user_id, no cascade)', async () => {
    const db = await openDatabase({ migrate: false });
    await createDjangoTables(db);
    const { sj, users, clock } = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
      tokenFamilyCheckOnAccess: true,
    });
    expect(await sj.migrate()).to.deep.equal(ALL);
    expect(await indexedColumns(db.sequelize, 'token_blacklist_outstandingtoken')).to.include('expires_at');
    // Django's own user_id indexes (under its names) are kept and not doubled; the missing expires_at ones added once.
    for (const table of ['token_blacklist_outstandingtoken', 'token_family_tokenfamily']) {
      const columns = await indexedColumns(db.sequelize, table);
      expect(
        columns.filter((c) => c === 'user_id'),
        table,
      ).to.have.length(1);
      expect(
        columns.filter((c) => c === 'expires_at'),
        table,
      ).to.have.length(1);
    }

    const alice = users.users.get('1')!;
    const refresh = await sj.RefreshToken.forUser(alice);
    const { OutstandingToken, TokenFamily } = defineModels(db.sequelize);
    expect((await OutstandingToken.findOne({ where: { jti: refresh.jti() } }))!.user_id).to.equal('1');
    expect((await TokenFamily.findOne({ where: { family_id: refresh.getFamilyId()! } }))!.user_id).to.equal('1');
    const [, created] = await refresh.blacklist();
    expect(created).to.equal(true);
    await expectRejected(new sj.RefreshToken(String(refresh)).verify(), 'Token is blacklisted');
    const access = String((await sj.RefreshToken.forUser(alice)).accessToken);
    expect(await sj.revocation.blacklistAllForUser(1)).to.deep.equal({ tokens: 1, families: 2 });
    await expectRejected(new sj.AccessToken(access).verify(), 'Token family is blacklisted');

    // A row Django wrote, blacklisted and expired: the flush removes both without relying on a cascade.
    await djangoBlacklist(db, 'django-jti', 'x', new Date('2025-12-31T00:00:00Z'));
    clock.advance(2 * 24 * 3600);
    expect(await flushExpiredTokens(db.sequelize, { now: clock.now() })).to.equal(3);
    expect(await OutstandingToken.count()).to.equal(0);
  });

  it('the schema enforces one row per jti and per blacklisted token, and cascades deletes', async () => {
    const db = await openDatabase();
    const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    const refresh = await sj.RefreshToken.forUser(users.users.get('1'));
    await refresh.blacklist();
    const { OutstandingToken, BlacklistedToken } = defineModels(db.sequelize);
    const row = (await OutstandingToken.findOne({ where: { jti: refresh.jti() } }))!;
    let failed = false;
    await OutstandingToken.create({ jti: refresh.jti(), token: 'x', user_id: null, created_at: null, expires_at: new Date() }).catch(() => (failed = true));
    expect(failed, 'duplicate jti').to.equal(true);
    failed = false;
    await BlacklistedToken.create({ token_id: row.id, blacklisted_at: new Date() }).catch(() => (failed = true));
    expect(failed, 'second blacklist row').to.equal(true);
    await db.sequelize.query(`DELETE FROM token_blacklist_outstandingtoken WHERE id = ${Number(row.id)}`);
    expect(await BlacklistedToken.count()).to.equal(0);
  });

  it('stores timestamps as Django does on this dialect', async () => {
    const db = await openDatabase();
    const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true } });
    await sj.RefreshToken.forUser(users.users.get('1'));
    if (db.dialect === 'sqlite') {
      const [row] = await db.sequelize.query<{ expires_at: string; created_at: string }>(
        'SELECT expires_at, created_at FROM token_blacklist_outstandingtoken',
        { type: QueryTypes.SELECT },
      );
      expect(row).to.deep.equal({ expires_at: '2026-01-02 12:00:00.000000', created_at: '2026-01-01 12:00:00.000000' });
    } else {
      const columns = await db.sequelize.getQueryInterface().describeTable('token_blacklist_outstandingtoken');
      expect(columns.expires_at.type.toLowerCase()).to.equal(db.dialect === 'postgres' ? 'timestamp with time zone' : 'datetime(6)');
    }
  });

  it('two instances on two databases do not interfere (models are bound per Sequelize instance)', async () => {
    const first = await openDatabase();
    const { Sequelize } = await import('sequelize');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const other = new Sequelize({ dialect: 'sqlite', storage: join(mkdtempSync(join(tmpdir(), 'sjwt-other-')), 'db.sqlite3'), logging: false });
    try {
      const a = makeSJ({ sequelize: first.sequelize, apps: { blacklist: true } });
      const b = makeSJ({ sequelize: other, apps: { blacklist: true } });
      await b.sj.migrate();
      const token = await a.sj.RefreshToken.forUser(a.users.users.get('1'));
      await token.blacklist();
      await new b.sj.RefreshToken(String(token)).verify(); // unknown to the second database
      expect(await defineModels(other).OutstandingToken.count()).to.equal(0);
      expect(defineModels(other).OutstandingToken).to.not.equal(defineModels(first.sequelize).OutstandingToken);
    } finally {
      await other.close();
    }
  });

  it("creates Simple JWT's columns as Django does (nullability, lengths), the unique columns and the indexes", async () => {
    const db = await openDatabase();
    const qi = db.sequelize.getQueryInterface();
    // column: [nullable, type as described (lower case, without the dialect's spelling of varchar)]
    const SCHEMA: Record<string, Record<string, [boolean, string]>> = {
      token_blacklist_outstandingtoken: {
        id: [false, 'int'],
        user_id: [true, 'char(255)'],
        jti: [false, 'char(255)'],
        token: [false, 'text'],
        created_at: [true, 'time'],
        expires_at: [false, 'time'],
      },
      token_blacklist_blacklistedtoken: { id: [false, 'int'], token_id: [false, 'bigint'], blacklisted_at: [false, 'time'] },
      passport_simplejwt_tokenrotation: { id: [false, 'int'], token_id: [false, 'bigint'], successor_id: [false, 'bigint'], rotated_at: [false, 'time'] },
      token_family_tokenfamily: {
        id: [false, 'int'],
        user_id: [true, 'char(255)'],
        family_id: [false, 'char(255)'],
        created_at: [false, 'time'],
        expires_at: [true, 'time'],
      },
      token_family_blacklistedtokenfamily: { id: [false, 'int'], family_id: [false, 'bigint'], blacklisted_at: [false, 'time'] },
      passport_simplejwt_session: {
        id: [false, 'int'],
        family_id: [false, 'bigint'],
        created_at: [false, 'time'],
        last_used_at: [false, 'time'],
        user_agent: [true, 'char(256)'],
        ip: [true, 'char(64)'],
      },
    };
    const UNIQUE: Record<string, string[]> = {
      token_blacklist_outstandingtoken: ['jti'],
      token_blacklist_blacklistedtoken: ['token_id'],
      passport_simplejwt_tokenrotation: ['token_id'],
      token_family_tokenfamily: ['family_id'],
      token_family_blacklistedtokenfamily: ['family_id'],
      passport_simplejwt_session: ['family_id'],
    };
    const INDEXED: Record<string, string[]> = {
      token_blacklist_outstandingtoken: ['expires_at', 'user_id'],
      passport_simplejwt_tokenrotation: ['successor_id'],
      token_family_tokenfamily: ['expires_at', 'user_id'],
    };
    for (const [table, columns] of Object.entries(SCHEMA)) {
      const described = await qi.describeTable(table);
      expect(Object.keys(described).sort(), table).to.deep.equal(Object.keys(columns).sort());
      for (const [column, [nullable, type]] of Object.entries(columns)) {
        // The primary key's nullability is the dialect's to report (SQLite's INTEGER PRIMARY KEY says nullable).
        if (column !== 'id') expect(described[column].allowNull, `${table}.${column} nullable`).to.equal(nullable);
        const actual = described[column].type.toLowerCase().replace('character varying', 'varchar').replace('datetime', 'time').replace('timestamp', 'time');
        expect(actual, `${table}.${column} type`).to.include(type === 'time' ? 'time' : type);
      }
      expect(described.id.primaryKey, `${table}.id`).to.equal(true);
      const indexes = (await qi.showIndex(table)) as Array<{ unique: boolean; primary?: boolean; fields: Array<{ attribute: string }> }>;
      const single = (unique: boolean) =>
        indexes
          .filter((index) => index.unique === unique && index.fields.length === 1 && index.fields[0].attribute !== 'id')
          .map((index) => index.fields[0].attribute)
          .sort();
      expect(single(true), `${table} unique`).to.deep.equal(UNIQUE[table]);
      expect(single(false), `${table} indexed`).to.deep.equal(INDEXED[table] ?? []);
    }
  });

  it('a deleted token takes its rotations (either side) with it, and a deleted family its blacklist row and session', async () => {
    const db = await openDatabase();
    const { OutstandingToken, TokenRotation, TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
    const at = new Date('2026-01-01T00:00:00Z');
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((jti) => OutstandingToken.create({ jti, token: jti, user_id: '1', created_at: at, expires_at: at })),
    );
    await TokenRotation.create({ token_id: a.id, successor_id: b.id, rotated_at: at });
    await TokenRotation.create({ token_id: b.id, successor_id: c.id, rotated_at: at });
    await db.sequelize.query(`DELETE FROM token_blacklist_outstandingtoken WHERE id = ${Number(b.id)}`);
    expect(await TokenRotation.count()).to.equal(0);
    const family = await TokenFamily.create({ family_id: 'f', user_id: '1', created_at: at, expires_at: null });
    await BlacklistedTokenFamily.create({ family_id: family.id, blacklisted_at: at });
    await db.sequelize
      .getQueryInterface()
      .bulkInsert('passport_simplejwt_session', [{ family_id: family.id, created_at: at, last_used_at: at, user_agent: null, ip: null }]);
    await db.sequelize.query(`DELETE FROM token_family_tokenfamily WHERE id = ${Number(family.id)}`);
    expect(await BlacklistedTokenFamily.count()).to.equal(0);
    const [sessions] = await db.sequelize.query('SELECT id FROM passport_simplejwt_session');
    expect(sessions).to.deep.equal([]);
  });

  it('migrate() runs the apps given (an app left out is off), and logs a line per migration it runs', async () => {
    const db = await openDatabase({ migrate: false });
    const lines: string[] = [];
    expect(await migrate(db.sequelize, { tokenFamily: true }, { log: (line) => lines.push(line) })).to.deep.equal(ALL.slice(2));
    expect(lines).to.deep.equal(['applied token_family.0001_initial', 'applied token_family.0002_sessions']);
    expect(await tableExists(db.sequelize, 'token_blacklist_outstandingtoken')).to.equal(false);
    expect(await migrate(db.sequelize, { blacklist: true })).to.deep.equal(ALL.slice(0, 2));
    lines.length = 0;
    expect(await migrate(db.sequelize, { blacklist: true, tokenFamily: true }, { log: (line) => lines.push(line) })).to.deep.equal([]);
    expect(lines).to.deep.equal([]);
  });
});
