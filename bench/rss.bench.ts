/**
 * `npx tsx --expose-gc bench/rss.bench.ts [count] [seconds]`: RSS over many
 * refreshes with distinct tokens (rotation + blacklist + family on an
 * SQLite file, 50 chains refreshing concurrently through the serializer).
 * Prints RSS after a full GC every 10% of the run; stops at `count`
 * (default 100,000) or after `seconds` (default 600), saying how many ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { SimpleJWT, TokenRefreshSerializer } from '../lib';

const count = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 600);
const CHAINS = 50;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sjwt-rss-'));
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'db.sqlite3'), logging: false });
  // WAL, as docs/production.md recommends for an SQLite file (and the other benches run).
  await sequelize.query('PRAGMA journal_mode=WAL');
  const sj = new SimpleJWT({
    signingKey: 'rss-bench-secret-long-enough-for-hs256-0123456789',
    sequelize,
    apps: { blacklist: true, tokenFamily: true },
    tokenFamilyEnabled: true,
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
    // A memory run, not a latency one: on a shared machine a 3 s deadline can pass.
    storageTimeout: '60s',
  });
  await sj.migrate();
  const serializer = new TokenRefreshSerializer(sj);
  const chains: string[] = [];
  for (let i = 0; i < CHAINS; i++) chains.push(String(await sj.RefreshToken.forUser({ id: i + 1 })));
  const started = Date.now();
  const rss = () => {
    const { rss: resident, heapUsed } = process.memoryUsage();
    return `${(resident / 2 ** 20).toFixed(1)} MiB (JS heap used ${(heapUsed / 2 ** 20).toFixed(1)} MiB)`;
  };
  gc();
  console.log(`# ${new Date().toISOString()} · node ${process.version} · ${os.loadavg()[0].toFixed(1)} load`);
  console.log(`0 refreshes: RSS ${rss()}`);
  let done = 0;
  const step = Math.max(CHAINS, Math.round(count / 10 / CHAINS) * CHAINS);
  while (done < count && Date.now() - started < seconds * 1000) {
    await Promise.all(
      chains.map(async (refresh, i) => {
        const body = await serializer.validate({ refresh });
        chains[i] = body.refresh!;
      }),
    );
    done += CHAINS;
    if (done % step === 0) {
      gc();
      console.log(`${done} refreshes: RSS ${rss()} (${Math.round(done / ((Date.now() - started) / 1000))}/s)`);
    }
  }
  gc();
  console.log(`end: ${done} refreshes with distinct tokens in ${((Date.now() - started) / 1000).toFixed(0)} s, RSS ${rss()}`);
  await sequelize.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
