/**
 * SPEC 5, race-free rotation, through real HTTP on the database of the run
 * (SQLite, or TEST_DATABASE_URL): of 50 concurrent refreshes of one token
 * exactly one is answered 200; the 49 others are reuse (401 "Token is
 * blacklisted"). Repeated `concurrencyRounds()` times per test (20 in CI,
 * CONCURRENCY_ROUNDS to override), each round on a fresh token.
 */
import { expect } from 'chai';
import express from 'express';
import { tokenRouter, type SimpleJWT } from '../../lib';
import { defineModels } from '../../models/define-models';
import { useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { concurrencyRounds, listen, type JsonResponse, type TestServer } from '../helpers/server';
import { pairFor } from '../helpers/app';

const REQUESTS = 50;
const PATH = '/api/token/refresh/';
const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };

async function serve(db: TestDatabase, tokenFamilyBlacklistOnReuse: boolean): Promise<{ sj: SimpleJWT<TestUser>; server: TestServer }> {
  const { sj } = makeSJ({
    sequelize: db.sequelize,
    apps: { blacklist: true, tokenFamily: true },
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
    tokenFamilyEnabled: true,
    tokenFamilyBlacklistOnReuse,
  });
  const app = express();
  app.use('/api/token/', tokenRouter(sj));
  return { sj, server: await listen(app) };
}

/** Fires `REQUESTS` refreshes of `refresh` at once; returns the one winner and the losers. */
async function race(server: TestServer, refresh: string): Promise<{ winners: JsonResponse[]; losers: JsonResponse[] }> {
  const answers = await Promise.all(Array.from({ length: REQUESTS }, () => server.post(PATH, { refresh })));
  const winners = answers.filter((a) => a.status === 200);
  const losers = answers.filter((a) => a.status !== 200);
  return { winners, losers };
}

describe('refresh: race-free rotation, 50 concurrent refreshes of one token over HTTP', function () {
  this.timeout(120_000);
  const openDatabase = useTestDatabase();
  const rounds = concurrencyRounds();

  it(`${rounds} rounds: exactly one 200 per token, 49 × 401 "Token is blacklisted", and the loser wrote nothing`, async () => {
    const db = await openDatabase();
    const { sj, server } = await serve(db, false);
    const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
    try {
      for (let round = 1; round <= rounds; round += 1) {
        const { refresh } = await pairFor(sj);
        const outstandingBefore = await OutstandingToken.count();
        const { winners, losers } = await race(server, refresh);
        expect(winners, `round ${round}: winners`).to.have.length(1);
        for (const loser of losers) expect(loser, `round ${round}`).to.deep.include({ status: 401, body: BLACKLISTED });
        // One blacklist row, one successor, one rotation row: the losers' transactions left nothing behind.
        const consumed = await OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(refresh).jti() } });
        expect(await BlacklistedToken.count({ where: { token_id: consumed!.id } })).to.equal(1);
        expect(await TokenRotation.count({ where: { token_id: consumed!.id } })).to.equal(1);
        expect(await OutstandingToken.count()).to.equal(outstandingBefore + 1);
        // Without tokenFamilyBlacklistOnReuse the winner's successor works.
        const next = await server.post(PATH, { refresh: winners[0].body.refresh });
        expect(next.status, JSON.stringify(next.body)).to.equal(200);
      }
    } finally {
      await server.close();
    }
  });

  it(`${rounds} rounds with tokenFamilyBlacklistOnReuse: one 200, then the family is blacklisted and the winner's successor is refused too`, async () => {
    const db = await openDatabase();
    const { sj, server } = await serve(db, true);
    try {
      for (let round = 1; round <= rounds; round += 1) {
        const { refresh } = await pairFor(sj);
        const { winners, losers } = await race(server, refresh);
        expect(winners, `round ${round}: winners`).to.have.length(1);
        for (const loser of losers) expect(loser, `round ${round}`).to.deep.include({ status: 401, body: BLACKLISTED });
        // Reuse blacklists the whole family (Simple JWT's semantics): the successor handed to the winner dies with it.
        const familyId = new sj.RefreshToken(refresh).getFamilyId()!;
        expect(await sj.revocation.isFamilyBlacklisted(familyId)).to.equal(true);
        const next = await server.post(PATH, { refresh: winners[0].body.refresh });
        expect(next).to.deep.include({ status: 401, body: { detail: 'Token family is blacklisted', code: 'token_not_valid' } });
      }
    } finally {
      await server.close();
    }
  });
});
