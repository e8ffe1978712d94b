/**
 * storageTimeout on PostgreSQL (SPEC 8): the database connection goes
 * half-open (the TCP relay keeps the sockets but stops forwarding, as a
 * dropped route or a frozen host does). Every refresh answers 503 within
 * the deadline (plus 0.5 s), no rotation is committed behind a 503, no
 * family is blacklisted by the outage, and once traffic flows again the
 * same tokens refresh without a restart. MariaDB runs it too.
 */
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import type { TestServer } from '../helpers/server';
import { startRelay, type TcpRelay } from '../helpers/tcp-relay';
import { failClosedApp } from './fail-closed-app';
import { pairFor } from '../routes/helpers/app';

const DEADLINE_MS = 1000;
const SLACK_MS = 500;
const CLIENTS = 8;

describe('storageTimeout: the database connection goes half-open (TCP relay stops forwarding)', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();
  const url = testDatabaseUrl();
  let relay: TcpRelay | undefined;
  let server: TestServer | undefined;
  let appSequelize: Sequelize | undefined;

  before(function () {
    if (url === undefined) this.skip(); // SQLite: storage-timeout.sqlite.test.ts
  });

  afterEach(async () => {
    await relay?.restore();
    await server?.close();
    await appSequelize?.close().catch(() => undefined);
    await relay?.close();
    server = appSequelize = relay = undefined;
  });

  it('every refresh answers 503 within the deadline, nothing is committed behind it, the same tokens refresh once traffic flows', async () => {
    const db = await openDatabase();
    const target = new URL(url!);
    relay = await startRelay(target.hostname, Number(target.port || (db.dialect === 'postgres' ? 5432 : 3306)));
    const viaRelay = new URL(url!);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    // Sequelize as it comes, pool and all: storageTimeout is what bounds the request.
    appSequelize = new Sequelize(viaRelay.toString().replace(/^mariadb:/i, 'mysql:'), { logging: false, pool: { max: 10 } });
    const built = await failClosedApp(appSequelize, { storageTimeout: DEADLINE_MS / 1000 });
    server = built.server;
    const pairs = [];
    for (let i = 0; i < CLIENTS; i++) pairs.push(await pairFor(built.sj));
    // Connections open and in the pool, as in a running app.
    await Promise.all(pairs.map(({ access }) => server!.get('/me', { authorization: `Bearer ${access}` })));

    relay.stall();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const answers = await Promise.all(pairs.map(({ refresh }) => server!.post('/api/token/refresh/', { refresh })));
      for (const res of answers) {
        expect(res.status, JSON.stringify(res.body)).to.equal(503);
        expect(res.body.code).to.equal('service_unavailable');
        expect(res.ms, `answered in ${Math.round(res.ms)} ms`).to.be.at.most(DEADLINE_MS + SLACK_MS);
      }
    }
    await relay.restore();

    const counts = async (table: string) => Number((await db.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { plain: true, raw: true, type: QueryTypes.SELECT }))!.n);
    expect(await counts('passport_simplejwt_tokenrotation'), 'rotations committed behind a 503').to.equal(0);
    expect(await counts('token_blacklist_blacklistedtoken'), 'tokens consumed behind a 503').to.equal(0);
    expect(await counts('token_family_blacklistedtokenfamily'), 'families killed by the outage').to.equal(0);

    // Recovery without restart: the pool drops the dead connections; every token is still good and rotates now.
    for (const { refresh, access } of pairs) {
      let res = await server.post('/api/token/refresh/', { refresh });
      // The first requests after the outage may still meet a connection the pool has not yet found dead: 503, never a pass.
      for (let tries = 1; res.status === 503 && tries < 5; tries++) res = await server.post('/api/token/refresh/', { refresh });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.refresh).to.be.a('string');
      expect((await server.get('/me', { authorization: `Bearer ${access}` })).status).to.equal(200);
    }
    expect(await counts('passport_simplejwt_tokenrotation')).to.equal(CLIENTS);
  });
});
