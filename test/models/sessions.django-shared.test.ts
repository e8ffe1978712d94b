import { createHash } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { QueryTypes, Sequelize, type Options } from 'sequelize';
import { tokenRouter } from '../../lib';
import { defineModels, flushExpiredFamilies, flushExpiredTokens } from '../../models';
import { expect401 } from '../helpers/app';
import { djangoTimestampSql, useTestDatabase } from '../helpers/database';
import { createDjangoTables } from '../helpers/django-schema';
import { makeSJ } from '../helpers/fixtures';
import { expectRejected } from '../helpers/storage';

const TOKEN = '/api/token/';

/**
 * The mixed fleet of the shared-database tests (migrate.test.ts: "keeps tables a
 * Django service created"), with sessions and outstandingTokenStorage: 'hash' on:
 * Django's own tables (integer user ids, no cascade), this package's side tables
 * beside them, and a Django service's writes made as its ORM makes them.
 */
describe('a database shared with a Django service, with sessions and hashed tokens on (#24)', () => {
  const openDatabase = useTestDatabase();

  async function setup() {
    const db = await openDatabase({ migrate: false });
    await createDjangoTables(db);
    const made = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      rotateRefreshTokens: true,
      blacklistAfterRotation: true,
      tokenFamilyEnabled: true,
      tokenFamilyCheckOnAccess: true,
      tokenFamilyBlacklistOnReuse: true,
      outstandingTokenStorage: 'hash',
      maxSessionsPerUser: 5,
    });
    await made.sj.migrate();
    const app = express();
    app.use(TOKEN, tokenRouter(made.sj));
    const login = async (username = 'alice') => {
      const res = await request(app)
        .post(TOKEN)
        .set('User-Agent', 'node-client')
        .send({ username, password: `${username}-password` });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body as { access: string; refresh: string };
    };
    const sql = (statement: string) => db.sequelize.query(statement);
    const one = async <T extends object>(statement: string) => (await db.sequelize.query<T>(statement, { type: QueryTypes.SELECT }))[0];
    const ts = (d: Date) => djangoTimestampSql(db.dialect, d);
    return { db, ...made, app, login, sql, one, ts, models: defineModels(db.sequelize) };
  }

  it('logins, sessions and rotations on Django tables; Django blacklists a hashed row by jti and its tokens stop', async () => {
    const { sj, app, login, sql, one, ts, models } = await setup();
    const a = await login();
    const jti = new sj.RefreshToken(a.refresh, { verify: false }).jti();
    const row = (await models.OutstandingToken.findOne({ where: { jti } }))!;
    expect(row.token).to.equal(`sha256:${createHash('sha256').update(a.refresh).digest('hex')}`);
    expect((await sj.sessions.list(1)).map((s) => s.userAgent)).to.deep.equal(['node-client']);
    // Django's RefreshToken.blacklist(): get_or_create the outstanding row by jti, then a BlacklistedToken.
    const found = await one<{ id: number | string }>(`SELECT id FROM token_blacklist_outstandingtoken WHERE jti = '${jti}'`);
    await sql(`INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) VALUES (${Number(found.id)}, ${ts(sj.now())})`);
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: a.refresh }), 'Token is blacklisted');
    const b = await login();
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh: b.refresh })).status).to.equal(200);
  });

  it('Django blacklists a family: the session leaves the list; a family Django started is listed without metadata', async () => {
    const { sj, login, sql, one, ts } = await setup();
    const a = await login();
    const familyId = new sj.RefreshToken(a.refresh, { verify: false }).getFamilyId()!;
    await sql(
      `INSERT INTO token_family_tokenfamily (family_id, created_at, expires_at, user_id) VALUES ('django-family', ${ts(sj.now())}, ${ts(new Date(sj.now().getTime() + 86_400_000))}, 1)`,
    );
    // Same time: the later row first.
    expect((await sj.sessions.list(1)).map((s) => [s.id, s.userAgent])).to.deep.equal([
      ['django-family', null],
      [familyId, 'node-client'],
    ]);
    const family = await one<{ id: number | string }>(`SELECT id FROM token_family_tokenfamily WHERE family_id = '${familyId}'`);
    await sql(`INSERT INTO token_family_blacklistedtokenfamily (family_id, blacklisted_at) VALUES (${Number(family.id)}, ${ts(sj.now())})`);
    expect((await sj.sessions.list(1)).map((s) => s.id)).to.deep.equal(['django-family']);
    await expectRejected(new sj.AccessToken(a.access).verify(), 'Token family is blacklisted');
    expect(await sj.sessions.revoke(1, 'django-family')).to.equal(true);
    expect(await sj.sessions.list(1)).to.deep.equal([]);
  });

  it("Django's flush commands (ORM deletes, no cascade in its tables) and ours both work beside the session table", async () => {
    const { sj, app, login, sql, one, ts, clock, db, models } = await setup();
    const a = await login();
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh: a.refresh })).status).to.equal(200);
    await login('bob');
    clock.advance(40 * 24 * 3600); // past every token and family
    const now = ts(clock.now());
    // flushexpiredtokens as Django's ORM runs it: the children it knows of, then the outstanding rows.
    await sql(`DELETE FROM token_blacklist_blacklistedtoken WHERE token_id IN (SELECT id FROM token_blacklist_outstandingtoken WHERE expires_at <= ${now})`);
    await sql(`DELETE FROM passport_simplejwt_tokenrotation`); // this package's flush removes these; Django's cannot know them
    await sql(`DELETE FROM token_blacklist_outstandingtoken WHERE expires_at <= ${now}`);
    // flushexpiredfamilies as Django runs it: the session table's ON DELETE CASCADE must not block it.
    await sql(`DELETE FROM token_family_blacklistedtokenfamily WHERE family_id IN (SELECT id FROM token_family_tokenfamily WHERE expires_at <= ${now})`);
    await sql(`DELETE FROM token_family_tokenfamily WHERE expires_at <= ${now}`);
    expect(await models.TokenFamily.count()).to.equal(0);
    expect(await sj.sessions.list(1)).to.deep.equal([]);
    // The database cascades (SQLite too: Sequelize and Django both turn its foreign_keys pragma on).
    const [rows] = await db.sequelize.query('SELECT COUNT(*) AS n FROM passport_simplejwt_session');
    expect(Number((rows as Array<{ n: unknown }>)[0].n), 'cascaded').to.equal(0);
    // And this package's flush commands on the same tables, with session rows present.
    clock.advance(-40 * 24 * 3600);
    const late = await login();
    const family = await models.TokenFamily.findOne({ where: { family_id: new sj.RefreshToken(late.refresh, { verify: false }).getFamilyId()! } });
    const sessionRows = `SELECT COUNT(*) AS n FROM passport_simplejwt_session WHERE family_id = ${Number(family!.id)}`;
    expect(Number((await one<{ n: unknown }>(sessionRows)).n)).to.equal(1);
    clock.advance(40 * 24 * 3600);
    expect(await flushExpiredTokens(db.sequelize, { now: clock.now() })).to.equal(1);
    // On SQLite, through a connection without the foreign_keys pragma: the flush deletes the session rows itself.
    const flushing =
      db.dialect === 'sqlite'
        ? new Sequelize({ dialect: 'sqlite', storage: db.url.slice('sqlite://'.length), logging: false, foreignKeys: false } as Options)
        : db.sequelize;
    expect(await flushExpiredFamilies(flushing, { now: clock.now() })).to.equal(1);
    if (flushing !== db.sequelize) await flushing.close();
    // Deleted with its family on every dialect (SQLite enforces no cascade without its pragma).
    expect(Number((await one<{ n: unknown }>(sessionRows)).n)).to.equal(0);
  });
});
