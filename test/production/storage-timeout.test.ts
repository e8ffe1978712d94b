/**
 * storageTimeout on PostgreSQL (SPEC 8): the database connection goes
 * half-open (the TCP relay keeps the sockets but stops forwarding, as a
 * dropped route or a frozen host does). Every refresh answers 503 within
 * the deadline (plus 0.5 s), no rotation is committed behind a 503, no
 * family is blacklisted by the outage, and once traffic flows again the
 * same tokens refresh without a restart. MariaDB runs it too.
 */
import { Sequelize } from 'sequelize';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import type { TestServer } from '../helpers/server';
import { relayTo, type TcpRelay } from '../helpers/tcp-relay';
import { failClosedApp } from '../helpers/fail-closed-app';
import { pairFor } from '../helpers/app';
import { DEADLINE_MS, expectAll503InTime, expectNothingCommitted, expectRecovered } from '../helpers/storage-timeout-checks';
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
    const through = await relayTo(url!, db.dialect);
    relay = through.relay;
    // Sequelize as it comes, pool and all: storageTimeout is what bounds the request.
    appSequelize = new Sequelize(through.url, { logging: false, pool: { max: 10 } });
    const built = await failClosedApp(appSequelize, { storageTimeout: DEADLINE_MS / 1000 });
    server = built.server;
    const pairs = [];
    for (let i = 0; i < CLIENTS; i++) pairs.push(await pairFor(built.sj));
    // Connections open and in the pool, as in a running app.
    await Promise.all(pairs.map(({ access }) => server!.get('/me', { authorization: `Bearer ${access}` })));

    relay.stall();
    for (let attempt = 1; attempt <= 2; attempt++) await expectAll503InTime(server, pairs);
    await relay.restore();

    await expectNothingCommitted(db.sequelize);
    // The pool drops the dead connections on its own; the first requests may still meet one.
    await expectRecovered(server, db.sequelize, pairs, 5);
  });
});
