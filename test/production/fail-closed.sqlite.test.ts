/**
 * Fail closed and recover on SQLite. An embedded database has no server to
 * stop and no socket to cut; its honest outage is a database file another
 * process holds locked (a long write, a backup tool, `BEGIN EXCLUSIVE` in
 * the sqlite3 shell). While it is locked, refresh and authenticated
 * requests answer 503 once SQLite's busy timeout runs out (1 s in
 * node-sqlite3; the app's Sequelize sets `retry: { max: 1 }`, as
 * docs/production.md recommends, or Sequelize tries each query 5
 * times, 30 s here); once the lock is released they work again with no
 * restart. Runs on SQLite only.
 */
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { Database } from 'sqlite3';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import type { TestServer } from '../helpers/server';
import { failClosedApp } from '../helpers/fail-closed-app';
import { pairFor } from '../helpers/app';

/**
 * What a 503 may take while the file is locked. One query alone gives up
 * after the 1 s busy timeout; here, with the locking connection in the same
 * process, the first one observed takes about 5 s (node-sqlite3's busy
 * waits share the libuv thread pool) and the second 1 s more: bounded, not fast.
 */
const BOUNDED_MS = 8000;

function run(db: Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.run(sql, (err) => (err ? reject(err) : resolve())));
}

describe('fail closed on SQLite: the database file is locked by another connection, then released', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();
  let server: TestServer | undefined;
  let locker: Database | undefined;
  let appSequelize: Sequelize | undefined;

  before(function () {
    if (testDatabaseUrl() !== undefined) this.skip(); // the server databases: fail-closed.test.ts
  });

  afterEach(async () => {
    await server?.close();
    if (locker) await new Promise<void>((resolve) => locker!.close(() => resolve()));
    await appSequelize?.close();
    server = locker = appSequelize = undefined;
  });

  it('refresh and an authenticated request: 503 while locked, 200 once released, no restart', async () => {
    const db = await openDatabase();
    const file = db.url.slice('sqlite://'.length);
    // The app's own Sequelize on the migrated file, configured as in production.
    appSequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false, retry: { max: 1 } });
    const built = await failClosedApp(appSequelize);
    server = built.server;
    const { refresh, access } = await pairFor(built.sj);
    const auth = { authorization: `Bearer ${access}` };
    expect((await server.get('/me', auth)).status).to.equal(200);

    locker = new Database(file);
    await run(locker, 'BEGIN EXCLUSIVE');
    const [r, m] = await Promise.all([server.post('/api/token/refresh/', { refresh }), server.get('/me', auth)]);
    for (const res of [r, m]) {
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(res.body.code).to.equal('service_unavailable');
      expect(res.ms).to.be.below(BOUNDED_MS);
    }
    console.log(`      (503 while locked: ${Math.round(r.ms)} / ${Math.round(m.ms)} ms)`);
    await run(locker, 'ROLLBACK');

    expect((await server.get('/me', auth)).status).to.equal(200);
    const after = await server.post('/api/token/refresh/', { refresh });
    expect(after.status, JSON.stringify(after.body)).to.equal(200);
  });
});
