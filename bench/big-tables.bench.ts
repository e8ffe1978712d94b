/**
 * Issue #25, item 3: the hot path's cost must not grow with the tables.
 * Rotation, refresh without rotation and the family check of an access
 * token, in-process (no HTTP), on tables holding `--rows` outstanding tokens
 * against the same operations on empty tables, interleaved rounds.
 *
 *   npx tsx bench/big-tables.bench.ts --store=sqlite [--rows=10000000]
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/bench_big_tables npx tsx bench/big-tables.bench.ts --store=postgres
 *
 * The big tables: `--rows` outstanding tokens (random-looking jtis spread
 * over the jti index like real ones, 100,000 users), every other one
 * blacklisted and rotated into the next (a rotation row each), `--rows`/10
 * families, one in ten blacklisted, a session row each. Seeded by one SQL
 * statement per table (SQLite: a recursive CTE with the journal off;
 * PostgreSQL: generate_series, then VACUUM ANALYZE); the seeding time is
 * printed. Then both databases get the same pools of refresh tokens recorded
 * as logins would have (bench/stateful.ts): rotation spends a fresh one per
 * operation.
 *
 * SQLite: two files in a temporary directory, WAL, the package's own
 * connection settings (`--pragmas=cache_size=-65536,mmap_size=1073741824`
 * runs those PRAGMAs on the connection first, for docs/production.md).
 * PostgreSQL: BENCH_PG_URL (default the bench_big_tables database) holds the
 * big tables, the same name with `_empty` the empty ones; both are created
 * when missing, and their tables dropped and re-created.
 *
 * Other options: --rounds (3), --duration (3 s per measurement),
 * --concurrency (16 operations in flight), --pool (rotation tokens per
 * database; default enough for 3,000/s).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { SimpleJWT, TokenRefreshSerializer, type UserStore } from '../lib';
import { fmt, median, option } from './support';
import { ensurePgDatabase, openStore, recordRefreshTokens, resetTables, type Store } from './stateful';

const store = (process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'sqlite') as Store;
if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store must be sqlite or postgres');
const rows = option('rows', 10_000_000);
const rounds = option('rounds', 3);
const duration = option('duration', 3);
const concurrency = option('concurrency', 16);
const poolSize = option('pool', Math.ceil(rounds * duration * 3000) + 1000);
const pragmas = (process.argv.find((a) => a.startsWith('--pragmas='))?.slice('--pragmas='.length) ?? '').split(',').filter(Boolean);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_big_tables';
const SECRET = 'big-tables-bench-secret-long-enough-for-hs256-0123456789abcdef';
const USER = { id: 1, username: 'demo', isActive: true };
const TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + 'x'.repeat(200) + '.';

type Db = 'empty' | 'big';

/** The big tables' rows, one statement per table. */
async function seed(sequelize: Sequelize): Promise<void> {
  const families = Math.max(1, Math.floor(rows / 10));
  const at = store === 'postgres' ? '2026-01-01 00:00:00+00' : '2026-01-01 00:00:00.000000';
  const never = store === 'postgres' ? '2999-01-01 00:00:00+00' : '2999-01-01 00:00:00.000000';
  const replacements = { rows, families, token: TOKEN, at, never };
  // A jti and family id per row that sorts nowhere near its neighbours' (a multiplicative hash), as uuid4 hex does.
  const hex = (n: string, pad: number) =>
    store === 'postgres'
      ? `lpad(to_hex((${n}::bigint * 2654435761) % 4294967296), ${pad}, '0') || lpad(to_hex(${n}), 16, '0')`
      : `printf('%0${pad}x%016x', (${n} * 2654435761) % 4294967296, ${n})`;
  const series = (limit: string) =>
    store === 'postgres'
      ? `generate_series(1, ${limit}) AS seq(n)`
      : `(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${limit}) SELECT n FROM s) AS seq`;
  const statements = [
    `INSERT INTO token_blacklist_outstandingtoken (jti, token, user_id, created_at, expires_at)
     SELECT ${hex('n', 16)}, :token || n, CAST(n % 100000 AS TEXT), :at, :never FROM ${series(':rows')}`,
    `INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at) SELECT id, :at FROM token_blacklist_outstandingtoken WHERE id % 2 = 0`,
    `INSERT INTO passport_simplejwt_tokenrotation (token_id, successor_id, rotated_at)
     SELECT id, id + 1, :at FROM token_blacklist_outstandingtoken WHERE id % 2 = 0 AND id < :rows`,
    `INSERT INTO token_family_tokenfamily (family_id, user_id, created_at, expires_at)
     SELECT ${hex('n', 16)}, CAST(n % 100000 AS TEXT), :at, :never FROM ${series(':families')}`,
    `INSERT INTO token_family_blacklistedtokenfamily (family_id, blacklisted_at) SELECT id, :at FROM token_family_tokenfamily WHERE id % 10 = 0`,
    `INSERT INTO passport_simplejwt_session (family_id, created_at, last_used_at, user_agent, ip) SELECT id, :at, :at, 'bench', '127.0.0.1' FROM token_family_tokenfamily`,
  ];
  if (store === 'sqlite') await sequelize.query('PRAGMA journal_mode=OFF');
  if (store === 'sqlite') await sequelize.query('PRAGMA synchronous=OFF');
  // The jti and family indexes take their rows in random order: a 1 GB page cache for the seeding connection only (measurements reopen it).
  if (store === 'sqlite') await sequelize.query('PRAGMA cache_size=-1000000');
  for (const statement of statements) await sequelize.query(statement, { replacements });
  if (store === 'postgres') await sequelize.query('VACUUM ANALYZE');
}

async function count(sequelize: Sequelize, table: string): Promise<number> {
  const [row] = await sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return Number(row.n);
}

interface Target {
  db: Db;
  sequelize: Sequelize;
  rotate: SimpleJWT<typeof USER>;
  plain: SimpleJWT<typeof USER>;
  pool: string[];
  fixed: string[];
}

const users: UserStore<typeof USER> = {
  async findById(id) {
    return id === String(USER.id) ? USER : null;
  },
  async authenticate() {
    return null;
  },
};

function instance(sequelize: Sequelize, rotate: boolean): SimpleJWT<typeof USER> {
  return new SimpleJWT<typeof USER>({
    signingKey: SECRET,
    users,
    sequelize,
    apps: { blacklist: true, tokenFamily: true },
    tokenFamilyEnabled: true,
    tokenFamilyCheckOnAccess: true,
    rotateRefreshTokens: rotate,
    blacklistAfterRotation: true,
  });
}

async function prepare(db: Db, sqliteDir: string): Promise<Target> {
  const file = join(sqliteDir, `${db}.sqlite3`);
  const url = db === 'big' ? PG_URL : `${PG_URL}_empty`;
  if (store === 'postgres') await ensurePgDatabase(url);
  let sequelize = openStore(store, file, url);
  await resetTables(sequelize);
  if (db === 'big') {
    const started = Date.now();
    await seed(sequelize);
    const seconds = (Date.now() - started) / 1000;
    const size = store === 'sqlite' ? `file ${fmt(statSync(file).size / 1024 / 1024)} MB` : '';
    console.log(
      `seeded ${fmt(await count(sequelize, 'token_blacklist_outstandingtoken'))} outstanding, ` +
        `${fmt(await count(sequelize, 'token_blacklist_blacklistedtoken'))} blacklisted, ` +
        `${fmt(await count(sequelize, 'token_family_tokenfamily'))} families in ${seconds.toFixed(1)} s ${size}`,
    );
  }
  if (store === 'sqlite') {
    // As docs/production.md recommends; the seeding ran with the journal off.
    await sequelize.query('PRAGMA journal_mode=WAL');
    await sequelize.close();
    sequelize = openStore(store, file, url);
    for (const pragma of pragmas) await sequelize.query(`PRAGMA ${pragma}`);
  }
  const pool = await recordRefreshTokens(sequelize, SECRET, USER.id, `${db}r`, poolSize);
  const fixed = await recordRefreshTokens(sequelize, SECRET, USER.id, `${db}f`, 1000);
  // Both databases vacuumed alike: rows fresh from the pools' inserts, without hint bits nor visibility map, read slower.
  if (store === 'postgres') await sequelize.query('VACUUM ANALYZE');
  return { db, sequelize, rotate: instance(sequelize, true), plain: instance(sequelize, false), pool, fixed };
}

type Operation = 'rotation' | 'refresh, no rotation' | 'access token family check';
const OPERATIONS: Operation[] = ['rotation', 'refresh, no rotation', 'access token family check'];

/** One operation of `op` on `target`; false when the rotation pool is spent. */
async function once(op: Operation, target: Target, i: number): Promise<boolean> {
  if (op === 'rotation') {
    const refresh = target.pool.pop();
    if (refresh === undefined) return false;
    await new TokenRefreshSerializer(target.rotate).validate({ refresh });
  } else if (op === 'refresh, no rotation') {
    await new TokenRefreshSerializer(target.plain).validate({ refresh: target.fixed[i % target.fixed.length] });
  } else {
    const access = new target.plain.RefreshToken(target.fixed[i % target.fixed.length]).accessToken;
    const state = await target.plain.validation.tokenState(access);
    if (state.familyBlacklisted) throw new Error('a fixed token is in a blacklisted family');
  }
  return true;
}

/** Operations per second of `op` on `target` over `duration` seconds, `concurrency` in flight. */
async function measure(op: Operation, target: Target): Promise<number> {
  const until = Date.now() + duration * 1000;
  let done = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        if (!(await once(op, target, next++))) break;
        done += 1;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sjwt-big-tables-'));
  const targets: Target[] = [];
  try {
    console.log(
      `store ${store}, ${fmt(rows)} rows, ${rounds} rounds × ${duration} s, ${concurrency} in flight${pragmas.length ? `, PRAGMA ${pragmas.join(', ')}` : ''}`,
    );
    for (const db of ['empty', 'big'] as const) targets.push(await prepare(db, dir));
    // A warm-up of each operation on each database (connections, prepared statements, caches).
    for (const op of OPERATIONS) for (const target of targets) for (let i = 0; i < 50; i++) await once(op, target, i);
    const results = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      // PostgreSQL plans by its statistics: the empty tables' (zero rows) would have it scan the rows the
      // rotations add since, so both databases are analyzed before each round.
      if (store === 'postgres') for (const target of targets) await target.sequelize.query('ANALYZE');
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const op of OPERATIONS) {
        for (const target of order) {
          const rate = await measure(op, target);
          const key = `${op}|${target.db}`;
          results.set(key, [...(results.get(key) ?? []), rate]);
        }
      }
      console.log(
        `round ${round + 1}: ${OPERATIONS.map((op) => `${op} ${fmt(results.get(`${op}|empty`)!.at(-1)!)} / ${fmt(results.get(`${op}|big`)!.at(-1)!)}`).join('; ')}`,
      );
    }
    console.log(`\n| operation (${store}) | empty tables (ops/s) | ${fmt(rows)} rows (ops/s) | big / empty |`);
    console.log('|---|---:|---:|---:|');
    for (const op of OPERATIONS) {
      const empty = median(results.get(`${op}|empty`)!);
      const big = median(results.get(`${op}|big`)!);
      console.log(`| ${op} | ${fmt(empty)} | ${fmt(big)} | ${(big / empty).toFixed(2)} |`);
    }
  } finally {
    for (const target of targets) await target.sequelize.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
