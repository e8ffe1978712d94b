/**
 * Nothing lost under mixed concurrent load (SPEC 8), on the test database
 * (SQLite file, PostgreSQL or MariaDB) and, on SQLite, on the demo itself:
 * clients log in, refresh with rotation, call a protected route, log out or
 * blacklist their family, beside a flood of wrong passwords from 64
 * addresses (127.0.1.x) with the login throttle on the database. Then:
 * - every logout and family blacklist that answered 200 is visible to
 *   another connection at once, and refused after a restart;
 * - a request that answered 503 committed nothing: retried, as clients are
 *   told to, it succeeds (a refresh is not reuse, a logout then commits);
 * - the database takes a write from another connection when the load stops;
 * - every ordinary request answered 200, at once or after its 503s, and no
 *   request answered 500.
 */
import { expect } from 'chai';
import express from 'express';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import { DEMO_PASSWORD, DEMO_USERNAME, createDemoApp } from '../../examples/app';
import { useTestDatabase, type TestDialect } from '../helpers/database';
import { failClosedApp } from '../helpers/fail-closed-app';
import { SECRET } from '../helpers/fixtures';

const LOAD_MS = Number(process.env.NOTHING_LOST_MS ?? 4000);
const FLOOD_LOOPS = 12;
const CLIENTS = 4;
const FLOOD_ADDRESSES = 64;
const ALICE = { username: 'alice', password: 'alice-password', me: '/me' };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A JSON request from the source address `from` (a loopback address), so the app sees a client of that address. */
function send(port: number, from: string, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = { text };
        }
        resolve({ status: res.statusCode!, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** What the load saw, to check afterwards. */
interface Seen {
  loggedOut: string[];
  familyBlacklisted: Array<{ refresh: string; access: string }>;
  /** Ordinary requests (not the flood's) that did not answer 200: path and status. */
  notOk: string[];
  /** Any answer of 500 or above but 503. */
  errors: string[];
  /** Ordinary requests answered 503 that a retry then answered 200. */
  retried503: number;
  ordinary: number;
  flood: Map<number, number>;
}

interface Target {
  port: number;
  username: string;
  password: string;
  /** The protected route. */
  me: string;
}

async function flood(target: Target, until: number, seen: Seen, loop: number): Promise<void> {
  let i = loop;
  while (Date.now() < until) {
    const from = `127.0.1.${(i % FLOOD_ADDRESSES) + 1}`;
    // Another account and unknown ones: the clients' own account stays under its ceiling (a flood on it may lock it out, by design).
    const username = i % 3 === 0 ? 'bob' : `nobody${i % 97}`;
    const res = await send(target.port, from, 'POST', '/api/token/', { username, password: 'wrong' });
    seen.flood.set(res.status, (seen.flood.get(res.status) ?? 0) + 1);
    if (res.status >= 500 && res.status !== 503) seen.errors.push(`flood ${res.status} ${JSON.stringify(res.body)}`);
    i += FLOOD_LOOPS;
  }
}

async function client(target: Target, until: number, seen: Seen, n: number): Promise<void> {
  const from = `127.0.2.${n + 1}`;
  /**
   * An ordinary request, as a client makes it: a 503 (an outage: the request's deadline passed on a starved
   * machine) is retried, as clients are told to, until the load has been over for 10 s. It must then answer 200:
   * a 503 that never recovers is a stuck database, and any other answer is wrong.
   */
  const ok = async (what: string, run: () => Promise<Answer>): Promise<Answer> => {
    seen.ordinary++;
    let res = await run();
    let retried = false;
    while (res.status === 503 && Date.now() < until + 10_000) {
      retried = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await run();
    }
    if (retried && res.status === 200) seen.retried503++;
    if (res.status !== 200) seen.notOk.push(`${what}${retried ? ' (retried after a 503)' : ''} ${res.status} ${JSON.stringify(res.body)}`);
    if (res.status >= 500 && res.status !== 503) seen.errors.push(`${what} ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  let round = 0;
  while (Date.now() < until) {
    round++;
    const login = await ok('login', () => send(target.port, from, 'POST', '/api/token/', { username: target.username, password: target.password }));
    if (login.status !== 200) continue;
    let refresh = String(login.body.refresh);
    let access = String(login.body.access);
    for (let r = 0; r < 3; r++) {
      // A 503 committed nothing: the same token, retried, refreshes (a reuse would be 401).
      const res = await ok('refresh', () => send(target.port, from, 'POST', '/api/token/refresh/', { refresh }));
      if (res.status !== 200) break;
      refresh = String(res.body.refresh);
      access = String(res.body.access);
      await ok('me', () => send(target.port, from, 'GET', target.me, undefined, access));
    }
    if ((n + round) % 2 === 0) {
      const out = await ok('logout', () => send(target.port, from, 'POST', '/api/token/blacklist/', { refresh }));
      if (out.status === 200) seen.loggedOut.push(refresh);
    } else {
      const out = await ok('family blacklist', () => send(target.port, from, 'POST', '/api/token/family/blacklist/', { refresh }));
      if (out.status === 200) seen.familyBlacklisted.push({ refresh, access });
    }
  }
}

async function runLoad(target: Target): Promise<Seen> {
  const seen: Seen = { loggedOut: [], familyBlacklisted: [], notOk: [], errors: [], retried503: 0, ordinary: 0, flood: new Map() };
  const until = Date.now() + LOAD_MS;
  await Promise.all([
    ...Array.from({ length: FLOOD_LOOPS }, (_, i) => flood(target, until, seen, i)),
    ...Array.from({ length: CLIENTS }, (_, n) => client(target, until, seen, n)),
  ]);
  return seen;
}

/** The jtis among `jtis` that another connection sees blacklisted, by a raw query. */
async function blacklistedJtis(other: Sequelize, jtis: string[]): Promise<Set<string>> {
  if (jtis.length === 0) return new Set();
  const rows = (await other.query(
    'SELECT o.jti AS jti FROM token_blacklist_outstandingtoken o JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id WHERE o.jti IN (:jtis)',
    { replacements: { jtis }, type: 'SELECT' },
  )) as Array<{ jti: string }>;
  return new Set(rows.map((row) => row.jti));
}

async function blacklistedFamilies(other: Sequelize, families: string[]): Promise<Set<string>> {
  if (families.length === 0) return new Set();
  const rows = (await other.query(
    `SELECT f.family_id AS family_id FROM token_family_tokenfamily f JOIN token_family_blacklistedtokenfamily b ON b.family_id = f.id WHERE f.family_id IN (:families)`,
    { replacements: { families }, type: 'SELECT' },
  )) as Array<{ family_id: string }>;
  return new Set(rows.map((row) => row.family_id));
}

function claim(token: string, name: string): string {
  return String((JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>)[name]);
}

/** Another connection writes at once (SQLite: takes the write lock within a second). */
async function expectWritable(other: Sequelize, dialect: TestDialect): Promise<void> {
  if (dialect === 'sqlite') await other.query('PRAGMA busy_timeout = 1000');
  await other.transaction(async (transaction) => {
    await other.query("UPDATE token_blacklist_outstandingtoken SET user_id = user_id WHERE jti = 'none'", { transaction });
  });
}

async function checkAfterLoad(seen: Seen, other: Sequelize, dialect: TestDialect, restart: () => Promise<Target & { close(): Promise<void> }>) {
  // A longer run (NOTHING_LOST_MS) prints what it did, for the record.
  if (process.env.NOTHING_LOST_MS) {
    const flood = [...seen.flood].map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(
      `      ${seen.ordinary} ordinary requests (${seen.notOk.length} not 200), ${seen.loggedOut.length} logouts, ${seen.familyBlacklisted.length} family blacklists, ${seen.retried503} answered 200 after a 503; flood: ${flood}`,
    );
  }
  expect(seen.errors, 'no 500 anywhere').to.deep.equal([]);
  expect(seen.notOk, `every ordinary request answered 200 (of ${seen.ordinary})`).to.deep.equal([]);
  expect(seen.loggedOut.length + seen.familyBlacklisted.length, 'the load logged out').to.be.greaterThan(0);
  expect(
    [...seen.flood.values()].reduce((a, b) => a + b, 0),
    'the flood ran',
  ).to.be.greaterThan(2 * FLOOD_LOOPS);
  // Visible to another connection at once.
  const jtis = seen.loggedOut.map((token) => claim(token, 'jti'));
  const seenBlacklisted = await blacklistedJtis(other, jtis);
  expect(
    jtis.filter((jti) => !seenBlacklisted.has(jti)),
    'logouts answered 200 but not committed',
  ).to.deep.equal([]);
  const families = seen.familyBlacklisted.map(({ refresh }) => claim(refresh, 'family_id'));
  const seenFamilies = await blacklistedFamilies(other, families);
  expect(
    families.filter((family) => !seenFamilies.has(family)),
    'family blacklists answered 200 but not committed',
  ).to.deep.equal([]);
  await expectWritable(other, dialect);
  // After a restart (a new process's instance on the same database).
  const again = await restart();
  try {
    for (const refresh of seen.loggedOut) {
      const res = await send(again.port, '127.0.3.1', 'POST', '/api/token/refresh/', { refresh });
      expect(res.status, 'a logged-out token after a restart').to.equal(401);
    }
    for (const { refresh, access } of seen.familyBlacklisted) {
      expect((await send(again.port, '127.0.3.1', 'POST', '/api/token/refresh/', { refresh })).status).to.equal(401);
      expect((await send(again.port, '127.0.3.1', 'GET', again.me, undefined, access)).status).to.equal(401);
    }
  } finally {
    await again.close();
  }
}

/** The test's app: both apps, rotation, families checked on access (failClosedApp's), and the throttle on the database as the demo has it. */
async function testServer(sequelize: Sequelize): Promise<{ port: number; close(): Promise<void> }> {
  const { server } = await failClosedApp(sequelize, {
    tokenFamilyBlacklistOnReuse: true,
    loginThrottle: { failures: 5, window: '15m', perAddress: 50, store: 'database', keyPrefix: `nl${Date.now()}` },
  });
  return { port: Number(new URL(server.url).port), close: () => server.close() };
}

async function serve(app: express.Express): Promise<{ port: number; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('nothing lost: mixed load beside a login flood (SPEC 8)', function () {
  this.timeout(120_000);
  const openDatabase = useTestDatabase();

  it('on the test database: every 200 write committed and visible, every 503 wrote nothing, the database writable after', async () => {
    const db = await openDatabase();
    const server = await testServer(db.sequelize);
    let seen: Seen;
    try {
      seen = await runLoad({ ...ALICE, port: server.port });
    } finally {
      await server.close();
    }
    const other = new Sequelize(db.url, { logging: false });
    try {
      await checkAfterLoad(seen, other, db.dialect, async () => {
        const sequelize = new Sequelize(db.url, { logging: false });
        const fresh = await testServer(sequelize);
        return {
          ...ALICE,
          port: fresh.port,
          close: async () => {
            await fresh.close();
            await sequelize.close();
          },
        };
      });
    } finally {
      await other.close();
    }
  });

  it('on the demo itself (SQLite file, WAL, its users, its throttle): the same', async function () {
    if (process.env.TEST_DATABASE_URL) this.skip(); // the demo runs on SQLite only
    const dir = mkdtempSync(join(tmpdir(), 'sjwt-nothing-lost-'));
    const storage = join(dir, 'demo.sqlite3');
    try {
      const demo = await createDemoApp({ storage, signingKey: SECRET });
      const server = await serve(demo.app);
      let seen: Seen;
      try {
        seen = await runLoad({ port: server.port, username: DEMO_USERNAME, password: DEMO_PASSWORD, me: '/api/me/' });
      } finally {
        await server.close();
      }
      await demo.sequelize.close();
      const other = new Sequelize({ dialect: 'sqlite', storage, logging: false });
      try {
        await checkAfterLoad(seen, other, 'sqlite', async () => {
          const again = await createDemoApp({ storage, signingKey: SECRET });
          const fresh = await serve(again.app);
          return {
            port: fresh.port,
            username: DEMO_USERNAME,
            password: DEMO_PASSWORD,
            me: '/api/me/',
            close: async () => {
              await fresh.close();
              await again.sequelize.close();
            },
          };
        });
      } finally {
        await other.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
