/**
 * flushexpiredtokens over a large SQLite table: time and peak memory.
 *
 *   npx tsx bench/flush.bench.ts [rows=1000000]
 *
 * Fills a temporary SQLite file with `rows` outstanding tokens (90% expired,
 * 10% of all rows blacklisted, timestamps in Django's text format), then runs
 * the CLI (`passport-simplejwt flushexpiredtokens`) in a child process under
 * /usr/bin/time -v, next to `--help` as the baseline of a bare start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { migrate } from '../models/migrate';

const ROOT = resolve(__dirname, '..');
const rows = Number(process.argv[2] ?? 1_000_000);

function timed(args: string[]): { seconds: number; maxRssMb: number; stdout: string } {
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, '-r', 'tsx/cjs', join(ROOT, 'lib/cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`exit ${run.status}: ${run.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(run.stderr);
  if (!rss || !wall) throw new Error(`cannot read /usr/bin/time output:\n${run.stderr}`);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, maxRssMb: Number(rss[1]) / 1024, stdout: run.stdout.trim() };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sjwt-flush-bench-'));
  const file = join(dir, 'db.sqlite3');
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
  try {
    await migrate(sequelize, { blacklist: true });
    const started = Date.now();
    const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + 'x'.repeat(200) + '.';
    // One statement, one transaction: a recursive sequence, as fast as SQLite inserts go.
    await sequelize.query(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :rows)
       INSERT INTO token_blacklist_outstandingtoken (jti, token, user_id, created_at, expires_at)
       SELECT printf('%032x', n), :token || n, CAST(n % 5000 AS TEXT), '2025-01-01 00:00:00.000000',
              CASE WHEN n % 10 = 0 THEN '2999-01-01 00:00:00.000000' ELSE '2025-01-02 00:00:00.000000' END
       FROM seq`,
      { replacements: { rows, token } },
    );
    await sequelize.query(
      `INSERT INTO token_blacklist_blacklistedtoken (token_id, blacklisted_at)
       SELECT id, '2025-01-01 12:00:00.000000' FROM token_blacklist_outstandingtoken WHERE id % 10 = 3`,
    );
    const fillSeconds = (Date.now() - started) / 1000;
    const countOf = async (table: string) =>
      (await sequelize.query<{ count: number }>(`SELECT COUNT(*) AS count FROM ${table}`, { type: QueryTypes.SELECT }))[0].count;
    const count = await countOf('token_blacklist_outstandingtoken');
    const blacklisted = await countOf('token_blacklist_blacklistedtoken');
    await sequelize.close();
    const sizeMb = statSync(file).size / 1024 / 1024;

    const baseline = timed(['--help']);
    const flush = timed(['flushexpiredtokens', '--database', `sqlite://${file}`]);
    console.log(`rows: ${count} outstanding (${blacklisted} blacklisted), file ${sizeMb.toFixed(0)} MB, filled in ${fillSeconds.toFixed(1)} s`);
    console.log(`flushexpiredtokens: ${flush.stdout}`);
    console.log(`  wall ${flush.seconds.toFixed(2)} s, peak RSS ${flush.maxRssMb.toFixed(0)} MB`);
    console.log(`baseline (--help): wall ${baseline.seconds.toFixed(2)} s, peak RSS ${baseline.maxRssMb.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
