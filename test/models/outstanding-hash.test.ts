import { createHash } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { tokenRouter, type SimpleJWTOptions } from '../../lib';
import { defineModels, flushExpiredTokens } from '../../models';
import { expect401 } from '../helpers/app';
import { useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';

const TOKEN = '/api/token/';

const sha256 = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`;

/** Every text of every row of this package's and Simple JWT's tables, to search for a token in the clear. */
async function everyStoredText(db: TestDatabase): Promise<string> {
  const tables = [
    'token_blacklist_outstandingtoken',
    'token_blacklist_blacklistedtoken',
    'passport_simplejwt_tokenrotation',
    'token_family_tokenfamily',
    'token_family_blacklistedtokenfamily',
    'passport_simplejwt_session',
  ];
  const rows: unknown[] = [];
  for (const table of tables) rows.push(...(await db.sequelize.query(`SELECT * FROM ${table}`, { type: QueryTypes.SELECT })));
  return JSON.stringify(rows);
}

describe("outstandingTokenStorage: 'hash' (#24): no working refresh token at rest", () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({
      sequelize: db.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      rotateRefreshTokens: true,
      blacklistAfterRotation: true,
      tokenFamilyEnabled: true,
      tokenFamilyBlacklistOnReuse: true,
      outstandingTokenStorage: 'hash',
      ...options,
    });
    const app = express();
    app.use(TOKEN, tokenRouter(made.sj));
    const login = async (username = 'alice') => {
      const res = await request(app)
        .post(TOKEN)
        .send({ username, password: `${username}-password` });
      expect(res.status).to.equal(200);
      return res.body as { access: string; refresh: string };
    };
    return { db, ...made, app, login, models: defineModels(db.sequelize) };
  }

  it('the token column holds sha256:<hex> of the token, for logins and rotations; no table holds a token', async () => {
    const { db, app, login, models, sj } = await setup();
    const { refresh } = await login();
    const rotated = await request(app).post(`${TOKEN}refresh/`).send({ refresh });
    expect(rotated.status).to.equal(200);
    for (const token of [refresh, rotated.body.refresh as string]) {
      const row = await models.OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(token, { verify: false }).jti() } });
      expect(row!.token).to.equal(sha256(token));
    }
    const stored = await everyStoredText(db);
    for (const token of [refresh, rotated.body.refresh as string]) {
      expect(stored).not.to.include(token);
      expect(stored).not.to.include(token.split('.')[2]);
    }
  });

  it("'raw' (the default) keeps Simple JWT's behaviour: the token itself", async () => {
    const { login, models, sj } = await setup({ outstandingTokenStorage: 'raw' });
    const { refresh } = await login();
    const row = await models.OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(refresh, { verify: false }).jti() } });
    expect(row!.token).to.equal(refresh);
  });

  it('blacklisting, rotation, reuse detection, families and the flush work unchanged (rows found by jti)', async () => {
    const { app, login, models, clock, db } = await setup();
    const a = await login();
    const next = await request(app).post(`${TOKEN}refresh/`).send({ refresh: a.refresh });
    expect(next.status).to.equal(200);
    // Reuse of the consumed token: 401, and its family (the successor) is blacklisted.
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: a.refresh }), 'Token is blacklisted');
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: next.body.refresh }), 'Token family is blacklisted');
    // The blacklist view finds a token by jti.
    const b = await login();
    expect((await request(app).post(`${TOKEN}blacklist/`).send({ refresh: b.refresh })).status).to.equal(200);
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: b.refresh }), 'Token is blacklisted');
    // The flush deletes by expires_at.
    clock.advance(2 * 24 * 3600);
    expect(await flushExpiredTokens(db.sequelize, { now: clock.now() })).to.equal(3);
    expect(await models.OutstandingToken.count()).to.equal(0);
  });
});
