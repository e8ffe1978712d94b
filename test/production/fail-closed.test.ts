/**
 * Fail closed and recover, for real: the app reaches its database through a
 * TCP relay on 127.0.0.1 that the test cuts (every connection destroyed,
 * nothing listening) and brings back. While the database is gone, refresh
 * and authenticated requests answer 503 service_unavailable, fast; nothing is
 * half-written; when it returns they work again without restarting the app.
 * PostgreSQL and MariaDB (TEST_DATABASE_URL); on SQLite see
 * fail-closed.sqlite.test.ts (a locked database file).
 */
import { expect } from 'chai';
import { Sequelize, type Options } from 'sequelize';
import { defineModels } from '../../models/define-models';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import type { JsonResponse, TestServer } from '../helpers/server';
import { failClosedApp } from '../helpers/fail-closed-app';
import { relayTo, type TcpRelay } from '../helpers/tcp-relay';
import { pairFor } from '../helpers/app';

/** What a 503 may take at most while the database is gone: bounded by the pool's acquire and connect timeouts below. */
const FAST_MS = 3000;

/** A production-style Sequelize: a bounded pool that gives up quickly instead of queueing requests for a minute. */
function productionSequelize(url: string): Sequelize {
  const dialect = url.startsWith('postgres') ? 'postgres' : 'mysql';
  const options: Options = {
    logging: false,
    pool: { max: 10, min: 0, acquire: 2000, idle: 10_000, evict: 1000 },
    dialectOptions: dialect === 'postgres' ? { connectionTimeoutMillis: 2000, statement_timeout: 5000 } : { connectTimeout: 2000 },
  };
  return new Sequelize(url.replace(/^mariadb:/i, 'mysql:'), options);
}

function expect503(res: JsonResponse, what: string): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).to.equal(503);
  expect(res.body.code).to.equal('service_unavailable');
  expect(res.body.detail).to.be.a('string');
  expect(res.ms, `${what}: answered in ${Math.round(res.ms)} ms`).to.be.below(FAST_MS);
}

/** GET /me until it answers 200 (at most 10 tries): the answer and how many tries it took. */
async function firstSuccess(server: TestServer, auth: Record<string, string>): Promise<{ me: JsonResponse; attempts: number }> {
  let attempts = 0;
  let me: JsonResponse;
  do {
    attempts += 1;
    me = await server.get('/me', auth);
  } while (me.status !== 200 && attempts < 10);
  return { me, attempts };
}

describe('fail closed: the database goes away and comes back (TCP relay)', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();
  const url = testDatabaseUrl();
  let relay: TcpRelay | undefined;
  let server: TestServer | undefined;
  let appSequelize: Sequelize | undefined;

  before(function () {
    if (url === undefined) {
      console.log('      (skipped: needs TEST_DATABASE_URL on PostgreSQL or MariaDB; SQLite: fail-closed.sqlite.test.ts)');
      this.skip();
    }
  });

  afterEach(async () => {
    await server?.close();
    await appSequelize?.close().catch(() => undefined);
    await relay?.close();
    server = appSequelize = relay = undefined;
  });

  /** The app: token endpoints and a protected GET /me behind JWTStrategy (family checked on access, so it hits the database). */
  async function setup() {
    const db = await openDatabase();
    const through = await relayTo(url!, db.dialect);
    relay = through.relay;
    appSequelize = productionSequelize(through.url);
    const built = await failClosedApp(appSequelize, { tokenFamilyBlacklistOnReuse: true });
    server = built.server;
    return { db, sj: built.sj, relay, server };
  }

  it('refresh and an authenticated request: 503 fast while it is gone, 200 again once it is back, no restart', async () => {
    const { sj, relay, server, db } = await setup();
    const { refresh, access } = await pairFor(sj);
    const auth = { authorization: `Bearer ${access}` };
    expect((await server.get('/me', auth)).status).to.equal(200);
    const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
    const rowsBefore = [await OutstandingToken.count(), await BlacklistedToken.count(), await TokenRotation.count()];

    await relay.cut();
    const timings: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await server.post('/api/token/refresh/', { refresh });
      const m = await server.get('/me', auth);
      expect503(r, 'refresh');
      expect503(m, 'GET /me');
      timings.push(r.ms, m.ms);
    }
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? server.get('/me', auth) : server.post('/api/token/refresh/', { refresh }))));
    for (const r of burst) expect503(r, 'burst');
    console.log(`      (503 while cut: ${Math.round(Math.min(...timings))}–${Math.round(Math.max(...timings, ...burst.map((r) => r.ms)))} ms)`);
    // Nothing was written while it was gone (read through the test's own connection).
    expect([await OutstandingToken.count(), await BlacklistedToken.count(), await TokenRotation.count()]).to.deep.equal(rowsBefore);

    await relay.restore();
    const { me, attempts } = await firstSuccess(server, auth);
    expect(me.status, `GET /me after the database came back (${attempts} attempts): ${JSON.stringify(me.body)}`).to.equal(200);
    expect(attempts, 'the first request after the restore already succeeds').to.equal(1);
    // The token refreshed in vain during the outage was not consumed: it rotates now.
    const after = await server.post('/api/token/refresh/', { refresh });
    expect(after.status, JSON.stringify(after.body)).to.equal(200);
  });

  it('a database host that hangs (connections accepted, never answered): 503 within the connect timeout, then recovery', async () => {
    const { sj, relay, server } = await setup();
    const { refresh, access } = await pairFor(sj);
    const auth = { authorization: `Bearer ${access}` };
    relay.blackhole();
    const [r, m] = await Promise.all([server.post('/api/token/refresh/', { refresh }), server.get('/me', auth)]);
    expect503(r, 'refresh');
    expect503(m, 'GET /me');
    console.log(`      (503 from a hanging host: ${Math.round(r.ms)} / ${Math.round(m.ms)} ms)`);
    await relay.restore();
    const { me, attempts } = await firstSuccess(server, auth);
    expect(me.status, `after ${attempts} attempts`).to.equal(200);
    expect((await server.post('/api/token/refresh/', { refresh })).status).to.equal(200);
  });

  it('cut in the middle of 40 concurrent rotations: every answer is 200 or 503, and no rotation is half-written', async () => {
    const { sj, relay, server, db } = await setup();
    const tokens = await Promise.all(Array.from({ length: 40 }, () => pairFor(sj).then((p) => p.refresh)));
    // Cut as soon as the first rotation is answered: the others are in flight.
    let cutting: Promise<void> | undefined;
    const results = await Promise.all(
      tokens.map((refresh) =>
        server.post('/api/token/refresh/', { refresh }).then((r) => {
          if (r.status === 200 && cutting === undefined) cutting = relay.cut();
          return r;
        }),
      ),
    );
    await cutting;
    for (const r of results) expect([200, 503], JSON.stringify(r.body)).to.include(r.status);
    await relay.restore();
    const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
    let ok = 0;
    for (const [i, refresh] of tokens.entries()) {
      const row = await OutstandingToken.findOne({ where: { jti: new sj.RefreshToken(refresh).jti() } });
      const blacklisted = await BlacklistedToken.count({ where: { token_id: row!.id } });
      const rotation = await TokenRotation.findOne({ where: { token_id: row!.id } });
      // All or nothing: blacklisted exactly when the rotation (and its successor row) was recorded.
      expect(blacklisted, `token ${i}`).to.equal(rotation ? 1 : 0);
      if (rotation) expect(await OutstandingToken.count({ where: { id: rotation.successor_id } })).to.equal(1);
      if (results[i].status === 200) {
        ok += 1;
        expect(rotation, `token ${i} answered 200 but not consumed`).not.to.equal(null);
      }
    }
    console.log(`      (${ok} rotated before the cut, ${results.length - ok} answered 503)`);
    // And the app serves again.
    const { refresh } = await pairFor(sj);
    expect((await server.post('/api/token/refresh/', { refresh })).status).to.equal(200);
  });
});
