/**
 * storageTimeout on SQLite (SPEC 8): another process holds the database
 * file locked for 30 s (`BEGIN EXCLUSIVE`: nothing can read or write;
 * `BEGIN IMMEDIATE`: reads go on, writes wait). Every refresh answers 503
 * within the deadline (plus 0.5 s), no rotation is committed behind a 503
 * (a retried token is still good, no family is blacklisted as reuse), and
 * once the lock goes the same tokens refresh without a restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Sequelize } from 'sequelize';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import type { TestServer } from '../helpers/server';
import { failClosedApp } from '../helpers/fail-closed-app';
import { pairFor } from '../helpers/app';
import { DEADLINE_MS, SLACK_MS, expectAll503InTime, expectNothingCommitted, expectRecovered } from '../helpers/storage-timeout-checks';
const CLIENTS = 8;

/** A process holding `BEGIN <mode>` on the file for 30 s; resolves once it holds the lock. */
function lockInAnotherProcess(file: string, mode: 'EXCLUSIVE' | 'IMMEDIATE'): Promise<ChildProcess> {
  const script = `
    const { Database } = require(${JSON.stringify(require.resolve('sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.run('BEGIN ${mode}', (err) => {
      if (err) { console.error(err); process.exit(1); }
      process.stdout.write('locked\\n');
      setTimeout(() => process.exit(0), 30000);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the locking process exited with ${code}`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

function release(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

for (const mode of ['EXCLUSIVE', 'IMMEDIATE'] as const) {
  describe(`storageTimeout on SQLite: another process holds BEGIN ${mode} on the file for 30 s`, function () {
    this.timeout(60_000);
    const openDatabase = useTestDatabase();
    let server: TestServer | undefined;
    let locker: ChildProcess | undefined;
    let appSequelize: Sequelize | undefined;

    before(function () {
      if (testDatabaseUrl() !== undefined) this.skip(); // the server databases: storage-timeout.test.ts
    });

    afterEach(async () => {
      if (locker) await release(locker);
      await server?.close();
      await appSequelize?.close();
      server = locker = appSequelize = undefined;
    });

    it('every refresh answers 503 within the deadline, nothing is committed behind it, the same tokens refresh once released', async () => {
      const db = await openDatabase();
      const file = db.url.slice('sqlite://'.length);
      // Sequelize as it comes (5 tries per query on SQLITE_BUSY): the deadline bounds the request anyway.
      appSequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
      const built = await failClosedApp(appSequelize, { storageTimeout: DEADLINE_MS / 1000 });
      server = built.server;
      const pairs = [];
      for (let i = 0; i < CLIENTS; i++) pairs.push(await pairFor(built.sj));

      locker = await lockInAnotherProcess(file, mode);
      // Each client tries twice while locked, as a client retrying after its 503 would.
      for (let attempt = 1; attempt <= 2; attempt++) await expectAll503InTime(server, pairs);
      await release(locker);
      locker = undefined;
      // Time for anything still queued behind the lock to run, if it wrongly would.
      await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS + SLACK_MS));

      await expectNothingCommitted(db.sequelize);
      await expectRecovered(server, db.sequelize, pairs);
    });
  });
}
