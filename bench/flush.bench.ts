/**
 * flushexpiredtokens over a large table (issue #25, item 4): its time, its
 * peak memory, and the latency of refreshes (with rotation) served from the
 * same database while it runs.
 *
 *   npx tsx bench/flush.bench.ts [--rows=10000000] [--store=sqlite|postgres]
 *   BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/bench_flush npx tsx bench/flush.bench.ts --store=postgres
 *
 * Fills the tables with `--rows` expired outstanding tokens and a tenth as
 * many live ones (10% of all blacklisted, timestamps in Django's form), by
 * one SQL statement each (SQLite: a recursive CTE; PostgreSQL:
 * generate_series), then runs the CLI (`passport-simplejwt
 * flushexpiredtokens`) in a child process under /usr/bin/time -v, next to
 * `--help` as the baseline of a bare start. Meanwhile this process rotates
 * refresh tokens (recorded beforehand as logins would have) on the same
 * database at `--rate` per second (100), an open loop: each refresh starts
 * on time whatever the previous ones do, so a lock held long shows in the
 * tail. Their p50/p99 are printed next to the same load before the flush.
 *
 * SQLite: a temporary file in WAL mode. PostgreSQL: BENCH_PG_URL (default
 * the bench_flush database, created when missing; its tables are dropped).
 * Other options: --batch-size (the CLI's, default its own), --pool
 * (rotation tokens; default enough for the rate over a flush of 10,000 rows/s).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { SimpleJWT, TokenRefreshSerializer, type UserStore } from '../lib';
import { fmt, option } from './support';
import { ensurePgDatabase, openStore, recordRefreshTokens, resetTables, type Store } from './stateful';

const ROOT = resolve(__dirname, '..');
const store = (process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'sqlite') as Store;
if (store !== 'sqlite' && store !== 'postgres') throw new Error('--store must be sqlite or postgres');
const positional = process.argv.slice(2).find((a) => /^\d+$/.test(a));
const rows = option('rows', positional === undefined ? 10_000_000 : Number(positional));
const rate = option('rate', 100);
const batchSize = process.argv.some((a) => a.startsWith('--batch-size=')) ? option('batch-size', 10_000) : undefined;
const poolSize = option('pool', Math.ceil(rate * (15 + rows / 10_000)));
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_flush';
const SECRET = 'flush-bench-secret-long-enough-for-hs256-0123456789abcdef0123';
const USER = { id: 1 };
const BASELINE_SECONDS = 3;

interface Timed {
  seconds: number;
  maxRssMb: number;
  stdout: string;
}

/** The CLI with `args` under /usr/bin/time -v, without blocking this process's event loop. */
function timed(args: string[]): Promise<Timed> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, '-r', 'tsx/cjs', join(ROOT, 'lib/cli.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (status) => {
      if (status !== 0) return fail(new Error(`exit ${status}: ${stderr}`));
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
      if (!rss || !wall) return fail(new Error(`cannot read /usr/bin/time output:\n${stderr}`));
      const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
      done({ seconds, maxRssMb: Number(rss[1]) / 1024, stdout: stdout.trim() });
    });
  });
}

/** `rows` expired outstanding tokens and a tenth as many live ones, 10% of all blacklisted. */
async function seed(sequelize: Sequelize): Promise<void> {
  const total = rows + Math.floor(rows / 10);
  const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + 'x'.repeat(200) + '.';
  if (store === 'sqlite') {
    // One statement, one transaction: a recursive sequence, as fast as SQLite inserts go.
    await sequelize.query(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :total)
       INSERT INTO token_blacklist_outstandingtoken (jti, token, user_id, created_at, expires_at)
       SELECT printf('%032x', n), :token || n, CAST(n % 5000 AS TEXT), '2025-01-01 00:00:00.000000',
              CASE WHEN n % 11 = 0 THEN '2999-01-01 00:00:00.000000' ELSE '2025-01-02 00:00:00.000000' END
       FROM seq`,
      { replacements: { total, token } },
    );
  } else {
    await sequelize.query(
      `INSERT INTO token_blacklist_outstandingtoken (jti, token, user_id, created_at, expires_at)
       SELECT lpad(to_hex(n), 32, '0'), :token || n, (n % 5000)::text, '2025-01-01 00:00:00+00',
              CASE WHEN n % 11 = 0 THEN timestamptz '2999-01-01 00:00:00+00' ELSE timestamptz '2025-01-02 00:00:00+00' END
       FROM generate_series(1, :total) AS n`,
      { replacements: { total, token } },
    );
  }
  await sequelize.query(
    `INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at)
     SELECT id, :at FROM token_blacklist_outstandingtoken WHERE id % 10 = 3`,
    { replacements: { at: store === 'postgres' ? '2025-01-01 12:00:00+00' : '2025-01-01 12:00:00.000000' } },
  );
  if (store === 'postgres') await sequelize.query('VACUUM ANALYZE');
}

const users: UserStore<typeof USER> = {
  async findById(id) {
    return id === String(USER.id) ? USER : null;
  },
  async authenticate() {
    return null;
  },
};

interface Latencies {
  ms: number[];
  errors: number;
  spent: boolean;
}

/** Rotations at `rate` per second (an open loop) until `stop()` resolves; each one's latency. */
async function rotations(sj: SimpleJWT<typeof USER>, pool: string[], stop: Promise<unknown>): Promise<Latencies> {
  const result: Latencies = { ms: [], errors: 0, spent: false };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  void stop.then(() => (stopped = true));
  const interval = 1000 / rate;
  const started = performance.now();
  for (let i = 0; !stopped; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await new Promise((resolveWait) => setTimeout(resolveWait, wait));
    if (stopped) break;
    const refresh = pool.pop();
    if (refresh === undefined) {
      result.spent = true;
      break;
    }
    const begun = performance.now();
    const one = new TokenRefreshSerializer(sj)
      .validate({ refresh })
      .then(
        () => void result.ms.push(performance.now() - begun),
        () => void (result.errors += 1),
      )
      .finally(() => inFlight.delete(one));
    inFlight.add(one);
  }
  await Promise.all(inFlight);
  return result;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function describe(label: string, result: Latencies): string {
  const sorted = [...result.ms].sort((a, b) => a - b);
  return (
    `${label}: ${fmt(sorted.length)} refreshes, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
    `max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms, ${result.errors} errors${result.spent ? ' (pool spent: raise --pool)' : ''}`
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sjwt-flush-bench-'));
  const file = join(dir, 'db.sqlite3');
  const url = store === 'sqlite' ? `sqlite://${file}` : PG_URL;
  if (store === 'postgres') await ensurePgDatabase(PG_URL);
  const sequelize = openStore(store, file, PG_URL);
  try {
    if (store === 'sqlite') await sequelize.query('PRAGMA journal_mode=WAL');
    await resetTables(sequelize);
    const started = Date.now();
    await seed(sequelize);
    const fillSeconds = (Date.now() - started) / 1000;
    const countOf = async (table: string) =>
      Number((await sequelize.query<{ count: number | string }>(`SELECT COUNT(*) AS count FROM ${table}`, { type: QueryTypes.SELECT }))[0].count);
    const count = await countOf('token_blacklist_outstandingtoken');
    const blacklisted = await countOf('token_blacklist_blacklistedtoken');
    const size = store === 'sqlite' ? `, file ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB` : '';
    console.log(`${store}: ${fmt(count)} outstanding (${fmt(rows)} expired, ${fmt(blacklisted)} blacklisted)${size}, filled in ${fillSeconds.toFixed(1)} s`);

    const sj = new SimpleJWT<typeof USER>({
      signingKey: SECRET,
      users,
      sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
      rotateRefreshTokens: true,
      blacklistAfterRotation: true,
    });
    const pool = await recordRefreshTokens(sequelize, SECRET, USER.id, 'flush', poolSize);
    const before = await rotations(sj, pool, new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000)));

    const baseline = await timed(['--help']);
    const flushing = timed(['flushexpiredtokens', '--database', url, ...(batchSize === undefined ? [] : ['--batch-size', String(batchSize)])]);
    const during = await rotations(
      sj,
      pool,
      flushing.catch(() => undefined),
    );
    const flush = await flushing;
    console.log(`flushexpiredtokens${batchSize === undefined ? '' : ` --batch-size ${batchSize}`}: ${flush.stdout}`);
    console.log(`  wall ${flush.seconds.toFixed(2)} s, peak RSS ${flush.maxRssMb.toFixed(0)} MB`);
    console.log(`baseline (--help): wall ${baseline.seconds.toFixed(2)} s, peak RSS ${baseline.maxRssMb.toFixed(0)} MB`);
    console.log(describe(`rotation at ${rate}/s before the flush`, before));
    console.log(describe(`rotation at ${rate}/s during the flush`, during));
  } finally {
    await sequelize.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
