/**
 * What each request costs the database (docs/capacity.md): statements,
 * transactions and rows written per login, refresh, rotation, access check
 * and blacklist, on PostgreSQL (BENCH_PG_URL, a fresh database: its tables
 * are dropped and re-created), counted at the driver: every statement the
 * pg client runs, and the rows each INSERT, UPDATE and DELETE reports.
 *
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/bench_cap npx tsx bench/capacity.bench.ts [--requests=200]
 *
 * The app is the production configuration of docs/production.md: the
 * blacklist and family apps, rotation with blacklistAfterRotation, family
 * checks on access, the user row in the database; once with the blacklist
 * cache in Redis (TEST_REDIS_URL or the local default) for the rows where
 * the cache can answer.
 */
import express from 'express';
import Passport from 'passport';
import { createClient } from 'redis';
import { JWTStrategy, RedisBlacklistCache, SimpleJWT, errorHandler, jwtAuth, tokenRouter, type SimpleJWTOptions } from '../lib';
import { sequelizeUserStore } from '../models';
import { EVERY_STORED_CHECK } from '../test/helpers/app';
import { listen, type TestServer } from '../test/helpers/server';
import { option, fmt } from './support';
import { openStore, prepareStore, userModel, type BenchUser } from './stateful';

/** The part of the pg driver (a peer the app installs; no types shipped) the counting wraps. */
interface PgModule {
  Client: { prototype: { query: (...args: unknown[]) => unknown } };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as PgModule;

const requests = option('requests', 200);
const USER: BenchUser = { id: 1, username: 'alice', is_active: true };
const PASSWORD = 'unused';

/** What the pg clients ran since the last reset. */
const counted = { statements: 0, transactions: 0, written: new Map<string, number>() };

/** Counts every statement of every pg client, and the rows its writes report, by table. */
function countStatements(): void {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
    counted.statements++;
    if (/^\s*COMMIT/i.test(text)) counted.transactions++;
    const write = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?/i.exec(text);
    const record = (result: unknown) => {
      const rows = (result as { rowCount?: number } | undefined)?.rowCount ?? 0;
      if (write && rows > 0) counted.written.set(write[1], (counted.written.get(write[1]) ?? 0) + rows);
    };
    const callback = args[args.length - 1];
    if (typeof callback === 'function') {
      args[args.length - 1] = (err: unknown, result: unknown) => {
        if (!err) record(result);
        return (callback as (e: unknown, r: unknown) => unknown)(err, result);
      };
      return query.apply(this, args);
    }
    const ran = query.apply(this, args);
    if (ran && typeof (ran as Promise<unknown>).then === 'function') void (ran as Promise<unknown>).then(record, () => undefined);
    return ran;
  };
}

function reset(): void {
  counted.statements = 0;
  counted.transactions = 0;
  counted.written.clear();
}

/** The per-request figures since the last reset, as a table row. */
function row(label: string, n: number): string {
  const written = [...counted.written].map(([table, rows]) => `${table} ${fmt(rows / n, 2)}`).join(', ') || 'none';
  const total = [...counted.written.values()].reduce((a, b) => a + b, 0);
  return `| ${label} | ${fmt(counted.statements / n, 1)} | ${fmt(counted.transactions / n, 2)} | ${fmt(total / n, 2)} | ${written} |`;
}

async function post(server: TestServer, path: string, body: unknown, auth?: string): Promise<Record<string, unknown>> {
  const res = await server.post(path, body, auth ? { authorization: `Bearer ${auth}` } : {});
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function measure(label: string, options: Partial<SimpleJWTOptions<unknown>>, lines: string[]): Promise<void> {
  const secret = 'capacity-bench-secret-0123456789abcdef';
  await prepareStore('postgres', '', secret, USER, {}, '/tmp');
  const sequelize = openStore('postgres', '');
  const User = userModel(sequelize);
  await User.update({ password: PASSWORD }, { where: { id: USER.id } });
  const sj = new SimpleJWT({
    signingKey: secret,
    sequelize,
    users: sequelizeUserStore(User, { verifyPassword: (plain, user) => plain === user.get('password') }),
    ...EVERY_STORED_CHECK,
    ...options,
  });
  const passport = new Passport.Authenticator();
  passport.use(new JWTStrategy(sj));
  const app = express();
  app.use('/api/token/', tokenRouter(sj));
  app.get('/api/me/', jwtAuth('passport-simplejwt', { passport }), (req, res) => void res.json({ ok: true }));
  app.use(errorHandler());
  const server = await listen(app);
  try {
    const credentials = { username: USER.username, password: PASSWORD };
    reset();
    const pairs: Array<Record<string, unknown>> = [];
    for (let i = 0; i < requests; i++) pairs.push(await post(server, '/api/token/', credentials));
    lines.push(row(`${label}login`, requests));

    reset();
    const rotated: Array<Record<string, unknown>> = [];
    for (const pair of pairs) rotated.push(await post(server, '/api/token/refresh/', { refresh: pair.refresh }));
    lines.push(row(`${label}refresh with rotation (+ blacklist of the old token, family check)`, requests));

    reset();
    for (const pair of rotated) {
      const res = await server.get('/api/me/', { authorization: `Bearer ${String(pair.access)}` });
      if (res.status !== 200) throw new Error(`/api/me/: ${res.status}`);
    }
    lines.push(row(`${label}access check (user row, family check on access)`, requests));

    reset();
    for (const pair of rotated) await post(server, '/api/token/blacklist/', { refresh: pair.refresh });
    lines.push(row(`${label}logout (blacklist the refresh token)`, requests));

    // The revoked tokens presented again: what a replay or a stolen-token flood costs.
    reset();
    for (const pair of rotated) {
      const res = await server.post('/api/token/refresh/', { refresh: pair.refresh });
      if (res.status !== 401) throw new Error(`replayed refresh: ${res.status}`);
    }
    lines.push(row(`${label}a blacklisted refresh token presented again (401)`, requests));
  } finally {
    await server.close();
    await sequelize.close();
  }
}

async function main(): Promise<void> {
  countStatements();
  const lines = [
    `# ${new Date().toISOString()} · node ${process.version} · ${requests} requests of each kind, one at a time`,
    '',
    '| request | statements | transactions | rows written | rows written by table |',
    '|---|---:|---:|---:|---|',
  ];
  await measure('', {}, lines);
  const redis = createClient({ url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' });
  await redis.connect();
  try {
    await redis.flushDb();
    await measure('Redis cache: ', { cache: new RedisBlacklistCache(redis), cacheBlacklistedRefreshTokens: true, cacheBlacklistedFamilies: true }, lines);
  } finally {
    await redis.quit();
  }
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
