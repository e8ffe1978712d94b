import { expect } from 'chai';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { tokenObtainPair, tokenObtainPairRouter, tokenObtainSlidingRouter, type SimpleJWTOptions } from '../../lib';
import { Sequelize } from 'sequelize';
import { LOGIN_TARPIT_DELAY_MS, LOGIN_TARPIT_MAX_HELD, LOGIN_THROTTLE_TABLE } from '../../lib/services/login-throttle';
import { execute, selectRows } from '../../models/sql';
// Loaded with the spec file, not by the first test that needs it: its module-level SQL then counts as static for
// mutation runs (run against a fresh module), instead of as code of that one test, which a loaded module never re-runs.
import '../../models/login-counters';
import { useTestDatabase, type TestDatabase } from '../helpers/database';
import { makeSJ, memoryUsers, type TestUser } from '../helpers/fixtures';
import { connectedClient, requireRedis, uniquePrefix, type TestRedisClient } from '../helpers/redis';

const OBTAIN = '/api/token/';
const SLIDING = '/api/token/sliding/';
/** The test throttle's `perAddress`; its `failures` is 3, so the account ceiling is 2 × 6 (SPEC 8). */
const PER_ADDRESS = 6;
const CEILING = 2 * PER_ADDRESS;
const THROTTLED = /^Request was throttled\. Expected available in (\d+) seconds\.$/;

/**
 * The obtain endpoints of one instance behind a proxy the app trusts, so each
 * test chooses its client address with X-Forwarded-For; `hashed` counts the
 * user store's authenticate() calls (where a real store hashes the password).
 */
function loginApp(options: Partial<SimpleJWTOptions<TestUser>>) {
  const users = memoryUsers();
  const counted = { hashed: 0 };
  const authenticate = users.authenticate.bind(users);
  users.authenticate = async (credentials, req) => {
    counted.hashed++;
    return authenticate(credentials, req);
  };
  const { sj } = makeSJ({ users, ...options });
  const app = express();
  app.set('trust proxy', true);
  app.use(OBTAIN, tokenObtainPairRouter(sj));
  app.use(SLIDING, tokenObtainSlidingRouter(sj));
  return { app, sj, counted };
}

function login(app: express.Express, username: string, password: string, address = '203.0.113.1', path = OBTAIN) {
  return request(app).post(path).set('X-Forwarded-For', address).send({ username, password });
}

/** Asserts DRF's 429: body, code, and a `Retry-After` equal to the seconds in the detail, within the window. */
function expectThrottled(res: request.Response, window: number): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(429);
  expect(Object.keys(res.body)).to.deep.equal(['detail', 'code']);
  expect(res.body.code).to.equal('throttled');
  const match = THROTTLED.exec(res.body.detail);
  expect(match, res.body.detail).to.not.equal(null);
  expect(res.headers['retry-after']).to.equal(match![1]);
  expect(Number(match![1])).to.be.within(1, window);
}

/** The app listening on a port of its own (for raw requests); `close()` drops every connection. */
async function listening(app: express.Express): Promise<{ port: number; close(): void }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: { detail?: string; code?: string };
  /** Milliseconds from the request sent to its answer. */
  ms: number;
}

/**
 * A login whose body never ends: headers and the start of a JSON body, then
 * nothing more (chunked, or a `Content-Length` far over the body limit). Only
 * a view that answers without reading the body can answer it; `null` when no
 * answer came within `waitMs`.
 */
function loginWithEndlessBody(port: number, address: string, framing: 'chunked' | 'huge', waitMs = 3000): Promise<RawAnswer | null> {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'x-forwarded-for': address };
  if (framing === 'huge') headers['content-length'] = String(1024 * 1024 * 1024);
  const started = Date.now();
  const req = http.request({ host: '127.0.0.1', port, path: OBTAIN, method: 'POST', headers });
  req.write('{"username": "alice", "password": "');
  req.write('x'.repeat(4096));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, waitMs);
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as RawAnswer['body'], ms: Date.now() - started });
      });
    });
  });
}

/** Asserts the raw answer is DRF's 429 with `Retry-After`, as {@link expectThrottled}. */
function expectRawThrottled(answer: RawAnswer | null, window: number): void {
  expect(answer, 'no answer: the view waited for the body').to.not.equal(null);
  expectThrottled({ status: answer!.status, body: answer!.body, headers: answer!.headers } as unknown as request.Response, window);
}

/** A login timed from send to answer. */
async function timedLogin(app: express.Express, username: string, password: string, address: string): Promise<request.Response & { ms: number }> {
  const started = Date.now();
  const res = await login(app, username, password, address);
  return Object.assign(res, { ms: Date.now() - started });
}

/** The behaviour every store must have; `options` chooses the store. */
function behavesAsAThrottle(throttleOptions: () => Promise<Partial<SimpleJWTOptions<TestUser>>>) {
  it('the 4th login of an account from one address after 3 failures there is a 429 before any password is checked, even a right one; from another address the user logs in', async () => {
    const { app, counted } = loginApp(await throttleOptions());
    for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.9.0.1')).status).to.equal(401);
    expect(counted.hashed).to.equal(3);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.9.0.1'), 900);
    expect(counted.hashed, 'the hasher ran once throttled').to.equal(3);
    // A flood against alice from one address does not lock her out from the others (SPEC 8).
    expect((await login(app, 'alice', 'alice-password', '10.9.1.1')).status).to.equal(200);
    // Other usernames from the flooding address go on (its own count is below perAddress).
    expect((await login(app, 'bob', 'bob-password', '10.9.0.1')).status).to.equal(200);
  });

  it(`the account ceiling: ${CEILING} failures from many addresses throttle the account from every address, before any password is checked`, async () => {
    const { app, counted } = loginApp(await throttleOptions());
    // Two from each address: below the per-account-and-address count (3) and the per-address one (6).
    for (let i = 0; i < CEILING; i++) expect((await login(app, 'alice', 'wrong', `10.7.0.${i >> 1}`)).status).to.equal(401);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.7.1.1'), 900);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.7.0.0'), 900);
    expect(counted.hashed).to.equal(CEILING);
    expect((await login(app, 'bob', 'bob-password', '10.7.1.1')).status).to.equal(200);
  });

  it('the username counts folded for case and accents (as the database compares it): Alice, ALICE and Álice are one account', async () => {
    const { app, counted } = loginApp(await throttleOptions());
    for (const typed of ['Alice', 'ALICE', '\u00c1lice']) expect((await login(app, typed, 'wrong', '10.6.0.1')).status).to.equal(401);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.6.0.1'), 900);
    expectThrottled(await login(app, 'alic\u0065\u0301 ', 'alice-password', '10.6.0.1'), 900);
    expectThrottled(await login(app, 'alice   ', 'alice-password', '10.6.0.1'), 900);
    expect(counted.hashed).to.equal(3);
  });

  it('only trailing spaces are dropped from the username: a space inside makes another account', async () => {
    const { app } = loginApp(await throttleOptions());
    for (let i = 0; i < 2; i++) expect((await login(app, 'alice', 'wrong', '10.6.1.1')).status).to.equal(401);
    expect((await login(app, 'al ice', 'wrong', '10.6.1.1')).status).to.equal(401);
    expect((await login(app, 'alice', 'alice-password', '10.6.1.1')).status).to.equal(200);
    // A name no account has is counted by the name itself: trailing spaces typed after it do not make another one.
    for (let i = 0; i < 3; i++) expect((await login(app, 'mallory', 'wrong', '10.6.1.2')).status).to.equal(401);
    expectThrottled(await login(app, 'mallory   ', 'wrong', '10.6.1.2'), 900);
  });

  it('a successful login does not count as a failure', async () => {
    const { app } = loginApp(await throttleOptions());
    for (let i = 0; i < 2; i++) expect((await login(app, 'alice', 'wrong', '10.8.0.1')).status).to.equal(401);
    expect((await login(app, 'alice', 'alice-password', '10.8.0.1')).status).to.equal(200);
    expect((await login(app, 'alice', 'wrong', '10.8.0.1')).status).to.equal(401); // the 3rd failure
    expectThrottled(await login(app, 'alice', 'alice-password', '10.8.0.1'), 900);
  });

  it('Retry-After of a refusal is the rest of the window the failures opened, not a token second', async () => {
    const { app } = loginApp(await throttleOptions());
    for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.8.1.1')).status).to.equal(401);
    const refused = await login(app, 'alice', 'alice-password', '10.8.1.1');
    expectThrottled(refused, 900);
    expect(Number(refused.headers['retry-after'])).to.be.within(880, 900);
  });

  it('the window ends: an account throttled in it logs in again after it, and its failures count from one again', async () => {
    const options = await throttleOptions();
    const { app } = loginApp({ ...options, loginThrottle: { ...(options.loginThrottle as object), window: 2 } });
    for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.8.2.1')).status).to.equal(401);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.8.2.1'), 2);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // A new window: the right password logs in, and three failures are needed to throttle again.
    expect((await login(app, 'alice', 'alice-password', '10.8.2.1')).status).to.equal(200);
    for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.8.2.1')).status).to.equal(401);
    expectThrottled(await login(app, 'alice', 'alice-password', '10.8.2.1'), 2);
  });

  it('too many failures from one address throttle it for every username; other addresses go on', async () => {
    const { app, counted } = loginApp(await throttleOptions());
    for (let i = 0; i < PER_ADDRESS; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.9')).status).to.equal(401);
    expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.9'), 900);
    expect(counted.hashed).to.equal(PER_ADDRESS);
    expect((await login(app, 'alice', 'alice-password', '192.0.2.10')).status).to.equal(200);
  });

  it('an address already refused is answered 429 before its body is read; other addresses and the username count go on', async () => {
    const { app, sj, counted } = loginApp(await throttleOptions());
    sj.loginThrottle!.tarpit.delayMs = 0; // answered at once here; the tarpit has its own tests
    const server = await listening(app);
    try {
      for (let i = 0; i < PER_ADDRESS; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.20')).status).to.equal(401);
      // Not yet known blocked: the body is needed (a body that never ends gets no answer).
      expect(await loginWithEndlessBody(server.port, '192.0.2.20', 'chunked', 300), 'answered before the first refusal').to.equal(null);
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.20'), 900); // refused by the counter
      // Now refused before the body: neither a body that never ends nor one declared 1 GB (413 if parsed) is read.
      expectRawThrottled(await loginWithEndlessBody(server.port, '192.0.2.20', 'chunked'), 900);
      expectRawThrottled(await loginWithEndlessBody(server.port, '192.0.2.20', 'huge'), 900);
      expect(counted.hashed).to.equal(PER_ADDRESS);
      // Another address: its body is read and its login checked as before.
      expect((await login(app, 'bob', 'bob-password', '192.0.2.21')).status).to.equal(200);
      expect(await loginWithEndlessBody(server.port, '192.0.2.21', 'huge', 300), 'another address answered before its body').to.equal(null);
      // An account over its count from an address that is not blocked is still refused (after its body is read).
      for (let i = 0; i < 3; i++) expect((await login(app, 'carl', 'wrong', '192.0.3.1')).status).to.equal(401);
      expectThrottled(await login(app, 'carl', 'wrong', '192.0.3.1'), 900);
    } finally {
      server.close();
    }
  });
}

describe('loginThrottle at the obtain endpoints (SPEC 8)', () => {
  const base = { failures: 3, perAddress: PER_ADDRESS, window: '15m' };

  describe('memory store', () => {
    behavesAsAThrottle(async () => ({ loginThrottle: base }));

    it('counts across the obtain views of one instance (pair and sliding)', async () => {
      const { app } = loginApp({ loginThrottle: base });
      for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.0.0.1', i % 2 ? SLIDING : OBTAIN)).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '10.0.0.1', SLIDING), 900);
    });

    it('the tarpit: a refusal of an address already refused is held 1 s, at most maxHeld at once (the rest at once), then held again', async () => {
      const { app, sj } = loginApp({ loginThrottle: base });
      const throttle = sj.loginThrottle!;
      expect(throttle.tarpit).to.deep.equal({ delayMs: LOGIN_TARPIT_DELAY_MS, maxHeld: LOGIN_TARPIT_MAX_HELD });
      expect([LOGIN_TARPIT_DELAY_MS, LOGIN_TARPIT_MAX_HELD]).to.deep.equal([1000, 256]);
      throttle.tarpit.maxHeld = 2;
      for (let i = 0; i < PER_ADDRESS; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.30')).status).to.equal(401);
      // The first refusal (by the counter, after the body) is not held.
      const first = await timedLogin(app, 'alice', 'alice-password', '192.0.2.30');
      expectThrottled(first, 900);
      expect(first.ms).to.be.below(LOGIN_TARPIT_DELAY_MS);
      // Three at once: two held, the third beyond the bound answered at once.
      const again = await Promise.all([1, 2, 3].map(() => timedLogin(app, 'alice', 'alice-password', '192.0.2.30')));
      for (const res of again) expectThrottled(res, 900);
      const times = again.map((res) => res.ms).sort((a, b) => a - b);
      expect(times[0], 'beyond the bound: not held').to.be.below(LOGIN_TARPIT_DELAY_MS);
      expect(times[1], 'held').to.be.at.least(LOGIN_TARPIT_DELAY_MS - 5);
      expect(times[2], 'held').to.be.at.least(LOGIN_TARPIT_DELAY_MS - 5);
      // The held ones are released: the next refusal is held again.
      expect((await timedLogin(app, 'alice', 'alice-password', '192.0.2.30')).ms).to.be.at.least(LOGIN_TARPIT_DELAY_MS - 5);
      // An address that is not blocked is never held.
      const other = await timedLogin(app, 'bob', 'bob-password', '192.0.2.31');
      expect(other.status).to.equal(200);
      expect(other.ms).to.be.below(LOGIN_TARPIT_DELAY_MS);
    });

    it('the early refusal ends with the window: the address logs in again', async () => {
      const { app } = loginApp({ loginThrottle: { ...base, perAddress: 1, window: 1 } });
      expect((await login(app, 'alice', 'wrong', '192.0.2.40')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.40'), 1);
      // Early, held no longer than the block lasts (under 1 s here).
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.40'), 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await login(app, 'alice', 'alice-password', '192.0.2.40')).status).to.equal(200);
    });

    it('a refusal is held no longer than the block lasts, however long the tarpit delay', async () => {
      const { app, sj } = loginApp({ loginThrottle: { ...base, perAddress: 1, window: 1 } });
      sj.loginThrottle!.tarpit.delayMs = 5000;
      expect((await login(app, 'alice', 'wrong', '192.0.2.41')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.41'), 1);
      const held = await timedLogin(app, 'alice', 'alice-password', '192.0.2.41');
      expectThrottled(held, 1);
      expect(held.ms, 'held until the block ends (under 1 s), not the 5 s delay').to.be.below(1500);
      expect((await login(app, 'alice', 'alice-password', '192.0.2.41')).status).to.equal(200);
    });

    it('the plain handler refuses a blocked address first too (held in the tarpit)', async () => {
      const { sj } = loginApp({ loginThrottle: base });
      sj.loginThrottle!.tarpit.delayMs = 300;
      const app = express();
      app.set('trust proxy', true);
      app.post(OBTAIN, express.json(), tokenObtainPair(sj));
      for (let i = 0; i < PER_ADDRESS; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.50')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.50'), 900);
      const held = await timedLogin(app, 'alice', 'alice-password', '192.0.2.50');
      expectThrottled(held, 900);
      expect(held.ms).to.be.at.least(295);
    });

    it('counts per account id where the user store resolves one (accountIdOf): two names of one account share one count', async () => {
      const { app, sj } = loginApp({ loginThrottle: base });
      // The app's store knows alice also by her e-mail address.
      sj.users!.accountIdOf = async (username) => (username === 'alice' || username === 'alice@example.com' ? '1' : null);
      for (let i = 0; i < 3; i++) expect((await login(app, 'alice@example.com', 'wrong', '10.5.0.1')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '10.5.0.1'), 900);
      // An unresolved name is counted by its folded spelling, as before.
      expect((await login(app, 'bob', 'bob-password', '10.5.0.1')).status).to.equal(200);
    });

    it('two accounts the user store resolves to different ids count apart', async () => {
      const { app, sj } = loginApp({ loginThrottle: base });
      sj.users!.accountIdOf = async (username) => ({ alice: '1', bob: '2' })[username] ?? null;
      for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.5.1.1')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '10.5.1.1'), 900);
      expect((await login(app, 'bob', 'bob-password', '10.5.1.1')).status).to.equal(200);
    });

    it('perAddress: null: no count per address, one address may fail for many accounts; each account is still counted', async () => {
      const { app } = loginApp({ loginThrottle: { ...base, perAddress: null } });
      for (let i = 0; i < 20; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.70')).status).to.equal(401);
      expect((await login(app, 'alice', 'alice-password', '192.0.2.70')).status).to.equal(200);
      for (let i = 0; i < 3; i++) expect((await login(app, 'bob', 'wrong', '192.0.2.70')).status).to.equal(401);
      expectThrottled(await login(app, 'bob', 'bob-password', '192.0.2.70'), 900);
    });

    it('off by default: failures are never throttled', async () => {
      const { app, counted } = loginApp({});
      for (let i = 0; i < 60; i++) expect((await login(app, 'alice', 'wrong')).status).to.equal(401); // one address too
      expect((await login(app, 'alice', 'alice-password')).status).to.equal(200);
      expect(counted.hashed).to.equal(61);
    });
  });

  describe('database store (the test database)', () => {
    const openDatabase = useTestDatabase();

    behavesAsAThrottle(async () => {
      const db = await openDatabase();
      return { sequelize: db.sequelize, loginThrottle: { ...base, store: 'database', keyPrefix: `t${Date.now()}${Math.floor(Math.random() * 1e6)}` } };
    });

    it('several processes (instances) on one database share the counters', async () => {
      const db = await openDatabase();
      const options: Partial<SimpleJWTOptions<TestUser>> = {
        sequelize: db.sequelize,
        loginThrottle: { ...base, store: 'database', keyPrefix: `shared${Date.now()}` },
      };
      const one = loginApp(options);
      const two = loginApp(options);
      for (let i = 0; i < 3; i++) expect((await login(i % 2 ? one.app : two.app, 'alice', 'wrong', '10.1.0.1')).status).to.equal(401);
      expectThrottled(await login(one.app, 'alice', 'alice-password', '10.1.0.1'), 900);
      expectThrottled(await login(two.app, 'alice', 'alice-password', '10.1.0.1'), 900);
    });

    /** Another process on the test database: a Sequelize of its own. */
    function anotherProcess(db: TestDatabase): Sequelize {
      const url = db.url.startsWith('sqlite://') ? db.url : db.url.replace(/^mariadb:/i, 'mysql:');
      others.push(
        db.url.startsWith('sqlite://')
          ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite://'.length), logging: false })
          : new Sequelize(url, { logging: false }),
      );
      return others[others.length - 1];
    }
    const others: Sequelize[] = [];
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
    });

    /** The counter rows of `prefix`, key -> points. */
    async function counters(db: TestDatabase, prefix: string): Promise<string[]> {
      const rows = await selectRows<{ k: string }>(db.sequelize, `SELECT ${db.dialect === 'mysql' ? '`key`' : 'key'} AS k FROM ${LOGIN_THROTTLE_TABLE}`, []);
      return rows
        .map((row) => row.k)
        .filter((k) => k.startsWith(`${prefix}:`))
        .sort();
    }

    it('counters whose window ended over an hour ago are deleted by the first failed login of a process, and at most every 5 minutes: live ones and recent ones stay', async () => {
      const db = await openDatabase();
      const prefix = `sweep${Date.now()}`;
      const options: Partial<SimpleJWTOptions<TestUser>> = { sequelize: db.sequelize, loginThrottle: { ...base, store: 'database', keyPrefix: prefix } };
      // One process counts a failure (the table made, its live counters written).
      expect((await login(loginApp(options).app, 'alice', 'wrong', '10.2.0.1')).status).to.equal(401);
      const live = await counters(db, prefix);
      expect(live).to.have.length(3);
      const now = Date.now();
      const insert = (key: string, expire: number) =>
        execute(db.sequelize, `INSERT INTO ${LOGIN_THROTTLE_TABLE} (${db.dialect === 'mysql' ? '`key`' : 'key'}, points, expire) VALUES ($1, $2, $3)`, [
          `${prefix}:${key}`,
          3,
          expire,
        ]);
      await insert('old', now - 2 * 60 * 60 * 1000);
      await insert('recent', now - 30 * 60 * 1000);
      // Another process starts: its first failed login deletes the counter ended 2 h ago.
      const second = loginApp({ ...options, sequelize: anotherProcess(db) });
      expect((await login(second.app, 'bob', 'wrong', '10.2.0.2')).status).to.equal(401);
      const deadline = Date.now() + 3000;
      while ((await counters(db, prefix)).includes(`${prefix}:old`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const after = await counters(db, prefix);
      expect(after, 'the counter ended 2 h ago').to.not.include(`${prefix}:old`);
      expect(after, 'the counter ended 30 min ago, and the live ones').to.include.members([`${prefix}:recent`, ...live]);
      expect(after).to.have.length(live.length + 1 + 3);
      // Within 5 minutes of that sweep, that process deletes nothing more.
      await insert('old2', now - 2 * 60 * 60 * 1000);
      expect((await login(second.app, 'carl', 'wrong', '10.2.0.3')).status).to.equal(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await counters(db, prefix)).to.include(`${prefix}:old2`);
    });

    it('a failure to make the counters table fails the login (no password checked), and the next login tries again (SQLite)', async function () {
      const db = await openDatabase();
      if (db.dialect !== 'sqlite') this.skip();
      // An index of that name: SQLite refuses CREATE TABLE IF NOT EXISTS of the table.
      await db.sequelize.query(`CREATE INDEX ${LOGIN_THROTTLE_TABLE} ON token_blacklist_outstandingtoken (jti)`);
      const { app, counted } = loginApp({ sequelize: db.sequelize, loginThrottle: { ...base, store: 'database' } });
      const refused = await login(app, 'alice', 'alice-password', '10.3.0.1');
      // An error of the database, not an outage: a 500.
      expect(refused.status, JSON.stringify(refused.body)).to.equal(500);
      expect(counted.hashed).to.equal(0);
      await db.sequelize.query(`DROP INDEX ${LOGIN_THROTTLE_TABLE}`);
      expect((await login(app, 'alice', 'alice-password', '10.3.0.1')).status).to.equal(200);
      for (let i = 0; i < 3; i++) expect((await login(app, 'alice', 'wrong', '10.3.0.1')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '10.3.0.1'), 900);
    });
  });

  describe('Redis store (the local Redis, a unique key prefix)', function () {
    let redis: TestRedisClient | undefined;
    before(async function () {
      await requireRedis(this);
      redis = await connectedClient();
    });
    after(async () => {
      if (redis?.isOpen) redis.destroy();
    });

    behavesAsAThrottle(async () => ({ loginThrottle: { ...base, store: { redis: redis! }, keyPrefix: uniquePrefix().replace(/[^A-Za-z0-9_:-]/g, '_') } }));

    it('Redis down: an address already refused is still 429 (known in this process, as before); any other login is 503, no password checked', async () => {
      const client = await connectedClient();
      const { app, sj, counted } = loginApp({
        loginThrottle: { ...base, store: { redis: client }, keyPrefix: uniquePrefix().replace(/[^A-Za-z0-9_:-]/g, '_') },
      });
      sj.loginThrottle!.tarpit.delayMs = 0;
      for (let i = 0; i < PER_ADDRESS; i++) expect((await login(app, `nobody${i}`, 'wrong', '192.0.2.60')).status).to.equal(401);
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.60'), 900);
      client.destroy();
      expectThrottled(await login(app, 'alice', 'alice-password', '192.0.2.60'), 900);
      const res = await login(app, 'alice', 'alice-password', '192.0.2.61');
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(res.body.code).to.equal('service_unavailable');
      expect(counted.hashed).to.equal(PER_ADDRESS);
    });

    it('Redis down: the login fails closed with a 503, and no password is checked', async () => {
      const down = await connectedClient();
      down.destroy();
      const { app, counted } = loginApp({ loginThrottle: { ...base, store: { redis: down } } });
      const res = await login(app, 'alice', 'alice-password');
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
      expect(res.body.code).to.equal('service_unavailable');
      expect(counted.hashed).to.equal(0);
    });
  });
});

describe('authenticate() runs with bounded concurrency, with or without a throttle (SPEC 8)', () => {
  async function maxInFlight(options: Partial<SimpleJWTOptions<TestUser>>, logins: number): Promise<number> {
    const users = memoryUsers();
    let inFlight = 0;
    let max = 0;
    users.authenticate = async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      // Stands for a password hash on libuv's threadpool.
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight--;
      return null;
    };
    const { sj } = makeSJ({ users, ...options });
    const app = express();
    app.use(OBTAIN, tokenObtainPairRouter(sj));
    const server = app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const answers = await Promise.all(
        Array.from({ length: logins }, (_, i) =>
          request(base)
            .post(OBTAIN)
            .send({ username: `u${i}`, password: 'x' }),
        ),
      );
      expect(answers.map((r) => r.status)).to.deep.equal(Array(logins).fill(401));
    } finally {
      server.close();
    }
    return max;
  }

  it('at most 2 at a time by default; every login is still answered', async () => {
    expect(await maxInFlight({}, 16)).to.equal(2);
  });

  it('loginConcurrency sets the bound', async () => {
    expect(await maxInFlight({ loginConcurrency: 5 }, 16)).to.equal(5);
    expect(await maxInFlight({ loginConcurrency: 1, loginThrottle: { perAddress: 100 } }, 8)).to.equal(1);
  });
});
