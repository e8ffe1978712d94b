/**
 * One deadline per request (SPEC 8): a login answers within `storageTimeout`
 * however its time is spent (waiting for a password-hashing slot,
 * `authenticate()`, `onLoginSuccess`), and a refresh whose reads used up
 * part of it does not give its rotation a fresh one: the rotation commits
 * before the request's 503 or never.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { Sequelize } from 'sequelize';
import { tokenObtainPairRouter } from '../../lib';
import { appWith, pairFor } from '../helpers/app';
import { testDatabaseUrl, useTestDatabase } from '../helpers/database';
import { failClosedApp } from '../helpers/fail-closed-app';
import { makeSJ, memoryUsers, type TestUser } from '../helpers/fixtures';
import type { UserStore } from '../../lib';

const DEADLINE_MS = 1000;
const SLACK_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The test users, each call of `authenticate()` / `findById()` taking `ms` more. */
function slowUsers(ms: { authenticate?: number; findById?: number }): UserStore<TestUser> {
  const users = memoryUsers();
  return {
    ...users,
    authenticate: async (credentials, req) => {
      await sleep(ms.authenticate ?? 0);
      return users.authenticate(credentials, req);
    },
    findById: async (id) => {
      await sleep(ms.findById ?? 0);
      return users.findById(id);
    },
  };
}

async function timed(run: () => Promise<request.Response>): Promise<request.Response & { ms: number }> {
  const started = Date.now();
  const res = await run();
  return Object.assign(res, { ms: Date.now() - started });
}

describe('one deadline per request: login and refresh answer within storageTimeout (SPEC 8)', function () {
  this.timeout(30_000);

  it('a login whose authenticate() and onLoginSuccess each stay under storageTimeout, but not together, answers 503 at the deadline', async () => {
    let hooked = 0;
    const { sj } = makeSJ({
      users: slowUsers({ authenticate: 700 }),
      storageTimeout: DEADLINE_MS / 1000,
      onLoginSuccess: async () => {
        hooked++;
        await sleep(700);
      },
    });
    const app = appWith(tokenObtainPairRouter(sj));
    const res = await timed(() => request(app).post('/api/token/').send({ username: 'alice', password: 'alice-password' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body.code).to.equal('service_unavailable');
    expect(res.ms).to.be.below(DEADLINE_MS + SLACK_MS);
    expect(hooked).to.equal(1);
  });

  it('logins waiting for a password-hashing slot answer 503 once the request deadline passes, never later', async () => {
    const { sj } = makeSJ({ users: slowUsers({ authenticate: 400 }), storageTimeout: DEADLINE_MS / 1000, loginConcurrency: 1 });
    const app = appWith(tokenObtainPairRouter(sj));
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map(() => timed(() => request(app).post('/api/token/').send({ username: 'alice', password: 'alice-password' }))),
    );
    const statuses = answers.map((res) => res.status).sort();
    // Two fit in the second (0.4 s each, one at a time); the others give up at the deadline.
    expect(statuses.filter((status) => status === 200).length).to.be.within(1, 2);
    expect(statuses.filter((status) => status === 503).length).to.be.at.least(3);
    for (const res of answers) expect(res.ms, `answered ${res.status}`).to.be.below(DEADLINE_MS + SLACK_MS);
  });

  describe('refresh on a SQLite file whose write lock another process holds', () => {
    const openDatabase = useTestDatabase();
    let locker: ChildProcess | undefined;
    let appSequelize: Sequelize | undefined;

    before(function () {
      if (testDatabaseUrl() !== undefined) this.skip(); // a lock held by another process: the SQLite file only
    });

    afterEach(async () => {
      locker?.kill('SIGKILL');
      await appSequelize?.close();
      locker = appSequelize = undefined;
    });

    it('the rotation keeps the request deadline: 503 at it, nothing committed once the lock goes, the same token refreshes', async () => {
      const db = await openDatabase();
      const file = db.url.slice('sqlite://'.length);
      appSequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
      const users = slowUsers({});
      const built = await failClosedApp(appSequelize, { storageTimeout: DEADLINE_MS / 1000, users });
      try {
        const pair = await pairFor(built.sj);
        // The user check takes most of the second; the lock ends after the second, before a fresh one would.
        (users as { findById: UserStore<TestUser>['findById'] }).findById = async (id) => {
          await sleep(800);
          return memoryUsers().findById(id);
        };
        locker = await holdWriteLock(file, 1300);
        const started = Date.now();
        const res = await built.server.post('/api/token/refresh/', { refresh: pair.refresh });
        const ms = Date.now() - started;
        expect(res.status, JSON.stringify(res.body)).to.equal(503);
        expect(ms).to.be.below(DEADLINE_MS + SLACK_MS);
        await sleep(1000); // the lock is gone: a rotation still queued would commit now
        (users as { findById: UserStore<TestUser>['findById'] }).findById = (id) => memoryUsers().findById(id);
        const [rows] = await appSequelize.query('SELECT COUNT(*) AS n FROM token_blacklist_blacklistedtoken');
        expect((rows as Array<{ n: number }>)[0].n, 'nothing blacklisted behind the 503').to.equal(0);
        const again = await built.server.post('/api/token/refresh/', { refresh: pair.refresh });
        expect(again.status, JSON.stringify(again.body)).to.equal(200);
      } finally {
        await built.server.close();
      }
    });
  });
});

/** A process holding `BEGIN IMMEDIATE` (the write lock) on the file for `ms`; resolves once it holds it. */
function holdWriteLock(file: string, ms: number): Promise<ChildProcess> {
  const script = `
    const { Database } = require(${JSON.stringify(require.resolve('sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.run('BEGIN IMMEDIATE', (err) => {
      if (err) { console.error(err); process.exit(1); }
      process.stdout.write('locked\\n');
      setTimeout(() => db.run('ROLLBACK', () => process.exit(0)), ${ms});
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the locking process exited with ${code}`)));
    child.stdout!.once('data', () => {
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}
