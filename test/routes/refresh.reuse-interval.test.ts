/**
 * SPEC 5, the reuse interval (`refreshTokenReuseInterval`), through real
 * HTTP on the database of the run: within the interval after a rotation,
 * re-presenting the immediate predecessor is a benign retry answered with the
 * same successor and a fresh access token; later, or for an older token, it
 * is reuse. Time moves on a frozen clock, never by sleeping.
 */
import { expect } from 'chai';
import express from 'express';
import { tokenRouter, type SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { defineModels } from '../../models/define-models';
import { useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ, type Clock, type TestUser } from '../helpers/fixtures';
import { keyPair } from '../helpers/keys';
import { concurrencyRounds, listen, type TestServer } from '../helpers/server';
import { pairFor } from '../helpers/app';

const REQUESTS = 50;
const INTERVAL = 10;
const PATH = '/api/token/refresh/';
const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };

interface Setup {
  sj: SimpleJWT<TestUser>;
  clock: Clock;
  server: TestServer;
}

describe('refresh: refreshTokenReuseInterval, over HTTP', function () {
  this.timeout(120_000);
  const openDatabase = useTestDatabase();
  let running: TestServer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}, db?: TestDatabase): Promise<Setup> {
    const database = db ?? (await openDatabase());
    const { sj, clock } = makeSJ({
      sequelize: database.sequelize,
      apps: { blacklist: true, tokenFamily: true },
      rotateRefreshTokens: true,
      blacklistAfterRotation: true,
      tokenFamilyEnabled: true,
      tokenFamilyBlacklistOnReuse: true,
      refreshTokenReuseInterval: INTERVAL,
      ...options,
    });
    const app = express();
    app.use('/api/token/', tokenRouter(sj));
    running = await listen(app);
    return { sj, clock, server: running };
  }

  const familyOf = (sj: SimpleJWT<TestUser>, refresh: string) => new sj.RefreshToken(refresh, { verify: false }).getFamilyId()!;

  const rounds = concurrencyRounds();
  it(`${rounds} rounds: 50 concurrent refreshes of one token within the interval all get one and the same successor, nothing blacklisted`, async () => {
    const db = await openDatabase();
    const { sj, server } = await setup({}, db);
    const { OutstandingToken, TokenRotation } = defineModels(db.sequelize);
    for (let round = 1; round <= rounds; round += 1) {
      const { refresh } = await pairFor(sj);
      const answers = await Promise.all(Array.from({ length: REQUESTS }, () => server.post(PATH, { refresh })));
      for (const a of answers) expect(a.status, `round ${round}: ${JSON.stringify(a.body)}`).to.equal(200);
      const successors = new Set(answers.map((a) => a.body.refresh));
      expect([...successors], `round ${round}: successors`).to.have.length(1);
      const [successor] = successors as Set<string>;
      // The answer is the stored successor, byte for byte; one rotation, one successor row.
      const row = await OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(successor).jti() } });
      expect(row!.token).to.equal(successor);
      const consumed = await OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(refresh, { verify: false }).jti() } });
      expect(await TokenRotation.count({ where: { token_id: consumed!.id } })).to.equal(1);
      // Every answer carries a valid access token of the same user and family.
      for (const a of answers) expect(new sj.AccessToken(String(a.body.access)).get('user_id')).to.equal('1');
      expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, refresh))).to.equal(false);
      // The successor keeps working.
      const next = await server.post(PATH, { refresh: successor });
      expect(next.status, JSON.stringify(next.body)).to.equal(200);
      expect(next.body.refresh).not.to.equal(successor);
    }
  });

  it('a retry after the interval is reuse: 401 and the family is blacklisted', async () => {
    const { sj, clock, server } = await setup();
    const { refresh } = await pairFor(sj);
    const first = await server.post(PATH, { refresh });
    expect(first.status).to.equal(200);
    clock.advance(INTERVAL);
    const atTheEdge = await server.post(PATH, { refresh });
    expect(atTheEdge.status, 'at exactly the interval: still a retry').to.equal(200);
    expect(atTheEdge.body.refresh).to.equal(first.body.refresh);
    clock.advance(1);
    expect(await server.post(PATH, { refresh })).to.deep.include({ status: 401, body: BLACKLISTED });
    expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, refresh))).to.equal(true);
    expect(await server.post(PATH, { refresh: first.body.refresh })).to.deep.include({
      status: 401,
      body: { detail: 'Token family is blacklisted', code: 'token_not_valid' },
    });
  });

  it('an older token (its successor was rotated in turn) is reuse, even within the interval', async () => {
    const { sj, server } = await setup();
    const { refresh: a } = await pairFor(sj);
    const b = (await server.post(PATH, { refresh: a })).body.refresh as string;
    const c = await server.post(PATH, { refresh: b });
    expect(c.status).to.equal(200);
    // b is the immediate predecessor of c: a retry of b is benign...
    expect((await server.post(PATH, { refresh: b })).body.refresh).to.equal(c.body.refresh);
    // ...a, two rotations back, is not.
    expect(await server.post(PATH, { refresh: a })).to.deep.include({ status: 401, body: BLACKLISTED });
    expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, a))).to.equal(true);
  });

  it('a successor that was blacklisted since (logged out) is not handed out again: reuse', async () => {
    const { sj, server } = await setup({ tokenFamilyBlacklistOnReuse: false });
    const { refresh } = await pairFor(sj);
    const first = await server.post(PATH, { refresh });
    expect((await server.post('/api/token/blacklist/', { refresh: first.body.refresh })).status).to.equal(200);
    expect(await server.post(PATH, { refresh })).to.deep.include({ status: 401, body: BLACKLISTED });
  });

  it('a deactivated user gets no retry answer: 401 no_active_account', async () => {
    const { sj, server } = await setup();
    const { refresh } = await pairFor(sj);
    expect((await server.post(PATH, { refresh })).status).to.equal(200);
    (sj.users as unknown as { users: Map<string, TestUser> }).users.get('1')!.isActive = false;
    expect(await server.post(PATH, { refresh })).to.deep.include({
      status: 401,
      body: { detail: 'No active account found for the given token.', code: 'no_active_account' },
    });
  });

  it('ES256 (a new signature at every signing): the retry gets the very string the first answer carried', async () => {
    const { privatePem, publicPem } = keyPair('P-256');
    const { sj, server } = await setup({ algorithm: 'ES256', signingKey: privatePem, verifyingKey: publicPem });
    const { refresh } = await pairFor(sj);
    const answers = await Promise.all(Array.from({ length: 10 }, () => server.post(PATH, { refresh })));
    expect(new Set(answers.map((a) => a.body.refresh))).to.have.property('size', 1);
    expect(answers.every((a) => a.status === 200)).to.equal(true);
  });

  it('with the interval off (0) a retry is reuse', async () => {
    const { sj, server } = await setup({ refreshTokenReuseInterval: 0 });
    const { refresh } = await pairFor(sj);
    expect((await server.post(PATH, { refresh })).status).to.equal(200);
    expect(await server.post(PATH, { refresh })).to.deep.include({ status: 401, body: BLACKLISTED });
  });
});
