/**
 * `npm run bench`: autocannon against the same `GET /api/me/` behind no auth
 * (the ceiling), passport-jwt (KeyObject secret, and a plain string as a
 * reference) and our JWTStrategy. Each app runs in its own process on
 * 127.0.0.1; runs are interleaved so drift hits every app alike.
 *
 * Options (`npm run bench -- --rounds=7`): --rounds (5), --duration (5 s),
 * --warmup (3 s), --connections (50), --prof=<variant> (CPU profile of that
 * app's process, written to a temp dir), --tokens (1: every request presents
 * the same token, as a client does during a token's life; --tokens=100000
 * cycles through that many distinct tokens, more than the verified-token
 * cache holds, so every request pays the full signature check).
 *
 * The stateful rows (issue #9), in the same interleaved run: `GET /api/me/`
 * with the user row in the database, `POST /api/token/refresh/` without
 * rotation, and refresh with rotation + blacklist + family spending a fresh
 * refresh token per request (a pool signed up front and recorded as earlier
 * logins would have), each on an SQLite file and on PostgreSQL (BENCH_PG_URL,
 * default the test_i9 database; its tables are dropped and re-created).
 * --only=a,b runs only those variants; --pool sets the rotation pool size
 * (default: enough for 2,500/s over the whole run).
 *
 * Issue #25: `simplejwt-jwtauth` and `simplejwt-stateless-jwtauth` put the two
 * strategies behind `jwtAuth()` (its fast path) instead of
 * `passport.authenticate`; `--tokens=200000` is the distinct-token run.
 *
 * A stateful variant ending in `-x2` runs the same app in two Node processes
 * (node:cluster, one port) on the same database: what a second process adds
 * (docs/capacity.md). Its CPU per request is the sum of both workers'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { fmt, median, option, stopChild } from './support';
import { SimpleJWT } from '../lib';
import type { Variant } from './server';
import { prepareStore, readPool, type BenchUser, type Store } from './stateful';

interface Row {
  variant: Variant;
  label: string;
}

const ROWS: Row[] = [
  { variant: 'none', label: 'no auth (ceiling)' },
  { variant: 'passport-jwt-keyobject', label: 'passport-jwt, KeyObject secret' },
  { variant: 'simplejwt', label: 'passport-simplejwt JWTStrategy' },
  { variant: 'simplejwt-stateless', label: 'passport-simplejwt JWTStatelessStrategy (no user lookup)' },
  { variant: 'simplejwt-jwtauth', label: 'passport-simplejwt JWTStrategy behind jwtAuth()' },
  { variant: 'simplejwt-stateless-jwtauth', label: 'passport-simplejwt JWTStatelessStrategy behind jwtAuth()' },
  { variant: 'simplejwt-cookie', label: 'passport-simplejwt JWTStrategy, cookie mode (token in the access cookie)' },
  { variant: 'passport-jwt-async', label: 'passport-jwt, KeyObject, async UserStore lookup (reference)' },
  { variant: 'passport-jwt-string', label: 'passport-jwt, string secret (reference)' },
  { variant: 'me-sqlite', label: 'JWTStrategy, user row in SQLite' },
  { variant: 'refresh-sqlite', label: 'refresh, no rotation, apps on, SQLite' },
  { variant: 'rotate-sqlite', label: 'refresh + rotation + blacklist + family, SQLite' },
  { variant: 'me-postgres', label: 'JWTStrategy, user row in PostgreSQL' },
  { variant: 'refresh-postgres', label: 'refresh, no rotation, apps on, PostgreSQL' },
  { variant: 'rotate-postgres', label: 'refresh + rotation + blacklist + family, PostgreSQL' },
  { variant: 'rotate-postgres-x2', label: 'refresh + rotation + blacklist + family, PostgreSQL, 2 Node processes' },
  { variant: 'refresh-postgres-x2', label: 'refresh, no rotation, apps on, PostgreSQL, 2 Node processes' },
  { variant: 'me-postgres-x2', label: 'JWTStrategy, user row in PostgreSQL, 2 Node processes' },
];

const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const rows = ROWS.filter((r) => r.variant === 'none' || !only || only.includes(r.variant));
const isStateful = (v: Variant) => v.includes('-sqlite') || v.includes('-postgres');
const storeOf = (v: Variant): Store => (v.includes('-sqlite') ? 'sqlite' : 'postgres');

const EXPECTED_USER: BenchUser = { id: 1, username: 'demo', is_active: true };

const rounds = option('rounds', 5);
const duration = option('duration', 5);
const warmup = option('warmup', 3);
const connections = option('connections', 50);
const tokenCount = option('tokens', 1);
const profiled = process.argv.find((a) => a.startsWith('--prof='))?.slice('--prof='.length);
const poolSize = option('pool', Math.ceil((warmup + rounds * duration) * 2500));

interface App {
  row: Row;
  child: ChildProcess;
  url: string;
  /** Refresh tokens to present, one per request for rotation (spent), one for a plain refresh; empty for `GET /api/me/`. */
  refreshPool: string[];
  cursor: number;
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sjwt-bench-'));
const sqliteFile = path.join(dataDir, 'bench.sqlite3');

function start(row: Row, secret: string, profDir: string | null): Promise<App> {
  const execArgv = ['--import', 'tsx', ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const child = fork(path.join(__dirname, 'server.ts'), [row.variant], { execArgv, env: { ...process.env, BENCH_SECRET: secret, BENCH_SQLITE: sqliteFile } });
  const refreshing = row.variant.startsWith('refresh-') || row.variant.startsWith('rotate-');
  const refreshPool = refreshing ? readPool(dataDir, row.variant) : [];
  const urlPath = refreshing ? '/api/token/refresh/' : '/api/me/';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${row.variant} exited with ${code} before listening`)));
    child.once('message', (msg) => resolve({ row, child, url: `http://127.0.0.1:${(msg as { port: number }).port}${urlPath}`, refreshPool, cursor: 0 }));
  });
}

/** The next refresh token of a refreshing app: each rotation spends one; a plain refresh presents its one token again. */
function nextRefresh(app: App): string {
  if (app.refreshPool.length === 1) return app.refreshPool[0];
  if (app.cursor >= app.refreshPool.length) throw new Error(`${app.row.variant}: the pool of ${app.refreshPool.length} refresh tokens is spent (raise --pool)`);
  return app.refreshPool[app.cursor++];
}

function stop(app: App): Promise<void> {
  return stopChild(app.child);
}

/** The request headers carrying `authorization`'s token: the access cookie for the cookie-mode app, else the header itself. */
function authHeaders(app: App, authorization: string): Record<string, string> {
  return app.row.variant === 'simplejwt-cookie' ? { cookie: `access=${authorization.replace(/^Bearer /, '')}` } : { authorization };
}

/** Every app must answer the same user with the token, and auth apps 401 without it: else the numbers mean nothing. */
async function check(app: App, authorization: string): Promise<void> {
  if (app.refreshPool.length > 0) {
    const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh: nextRefresh(app) }) });
    const body = (await res.json()) as Record<string, unknown>;
    const keys = Object.keys(body).sort().join(',');
    const want = app.row.variant.startsWith('rotate-') ? 'access,refresh' : 'access';
    if (res.status !== 200 || keys !== want) throw new Error(`${app.row.variant}: expected 200 with ${want}, got ${res.status} ${JSON.stringify(body)}`);
    return;
  }
  const ok = await fetch(app.url, { headers: authHeaders(app, authorization) });
  const body: unknown = await ok.json();
  if (ok.status !== 200 || JSON.stringify(body) !== JSON.stringify(EXPECTED_USER)) {
    throw new Error(`${app.row.variant}: expected 200 with the user, got ${ok.status} ${JSON.stringify(body)}`);
  }
  if (app.row.variant !== 'none') {
    const denied = await fetch(app.url);
    if (denied.status !== 401) throw new Error(`${app.row.variant}: expected 401 without a token, got ${denied.status}`);
  }
}

interface Mark {
  cpu: NodeJS.CpuUsage;
  served: number;
}

function mark(app: App): Promise<Mark> {
  return new Promise((resolve) => {
    app.child.once('message', (msg) => resolve(msg as Mark));
    app.child.send('mark');
  });
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the app process per request served, in µs. */
  cpuPerRequest: number;
}

/** The Authorization headers to present: one, or a pool cycled through request by request. */
let pool: string[] = [];
let next = 0;

async function load(app: App, authorization: string, seconds: number): Promise<Sample> {
  const before = await mark(app);
  const rotating =
    app.refreshPool.length > 0
      ? {
          method: 'POST' as const,
          headers: { 'content-type': 'application/json' },
          requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ refresh: nextRefresh(app) }) }) }],
        }
      : pool.length > 1
        ? {
            requests: [
              {
                setupRequest: (req: autocannon.Request) => {
                  next = (next + 1) % pool.length;
                  return { ...req, headers: { ...req.headers, ...authHeaders(app, pool[next]) } };
                },
              },
            ],
          }
        : {};
  const result = await autocannon({ url: app.url, connections, duration: seconds, headers: authHeaders(app, authorization), ...rotating });
  // A rotation request cut off at the end of a run may have spent its token: skip past any in doubt.
  if (app.refreshPool.length > 1) app.cursor += connections;
  const after = await mark(app);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${app.row.variant}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  const cpuPerRequest = cpu / Math.max(1, after.served - before.served);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerRequest };
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('hex');
  // A long lifetime so the token outlives the run; user_id is what passport-jwt's verify reads too.
  const minter = new SimpleJWT({ signingKey: secret, accessTokenLifetime: '1h' });
  const authorization = `Bearer ${String((await minter.RefreshToken.forUser(EXPECTED_USER)).accessToken)}`;
  pool = [authorization];
  for (let i = 1; i < tokenCount; i++) pool.push(`Bearer ${String((await minter.RefreshToken.forUser(EXPECTED_USER)).accessToken)}`);

  for (const store of ['sqlite', 'postgres'] as const) {
    const wanted = rows.filter((r) => isStateful(r.variant) && storeOf(r.variant) === store);
    if (wanted.length === 0) continue;
    const pools = Object.fromEntries(
      wanted.filter((r) => !r.variant.startsWith('me-')).map((r) => [r.variant, r.variant.startsWith('rotate-') ? poolSize : 1]),
    );
    await prepareStore(store, sqliteFile, secret, EXPECTED_USER, pools, dataDir);
  }

  const planned = rows.length * (warmup + rounds * duration);
  const profDir = profiled ? mkdtempSync(path.join(os.tmpdir(), 'sjwt-prof-')) : null;
  console.log(`# ${new Date().toISOString()} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`);
  console.log(
    `# ${rounds} rounds x ${duration} s, ${warmup} s warm-up, ${connections} connections, ${fmt(pool.length)} distinct token(s); about ${planned} s of load`,
  );

  // Bounded: whatever happens, the bench ends.
  const apps: App[] = [];
  const deadline = setTimeout(
    () => {
      console.error('bench: over time, stopping');
      for (const app of apps) app.child.kill('SIGKILL');
      process.exit(2);
    },
    (planned * 1.5 + 60) * 1000,
  );
  deadline.unref();

  try {
    for (const row of rows) apps.push(await start(row, secret, row.variant === profiled ? profDir : null));
    for (const app of apps) await check(app, authorization);
    for (const app of apps) await load(app, authorization, warmup);

    const samples = new Map<Variant, { rps: number[]; p50: number[]; p99: number[]; cpu: number[] }>(
      rows.map((r) => [r.variant, { rps: [], p50: [], p99: [], cpu: [] }]),
    );
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = [];
      // Each round starts one row further on: no row is always the one loaded after the same other (or last).
      const order = apps.map((_, i) => apps[(i + round - 1) % apps.length]);
      for (const app of order) {
        const { rps, p50, p99, cpuPerRequest } = await load(app, authorization, duration);
        const s = samples.get(app.row.variant)!;
        s.rps.push(rps);
        s.p50.push(p50);
        s.p99.push(p99);
        s.cpu.push(cpuPerRequest);
        line.push(`${app.row.variant} ${fmt(rps)} (${fmt(cpuPerRequest, 1)} µs)`);
      }
      console.log(`round ${round}/${rounds}: ${line.join(' · ')}`);
    }

    const med = (v: Variant) => median(samples.get(v)!.rps);
    const medCpu = (v: Variant) => median(samples.get(v)!.cpu);
    const ceiling = med('none');
    const hasPeer = rows.some((r) => r.variant === 'passport-jwt-keyobject');
    const peer = hasPeer ? med('passport-jwt-keyobject') : NaN;
    // Ratios are "how much of X we serve": for CPU that is X's CPU per request over ours.
    console.log(
      '\n| app | median req/s | min – max | p50 / p99 ms | vs ceiling | vs passport-jwt (KeyObject) | app CPU µs/req | CPU vs passport-jwt (KeyObject) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      const s = samples.get(row.variant)!;
      const m = med(row.variant);
      const vsPeer = row.variant === 'none' || !hasPeer ? '' : fmt(m / peer, 2);
      const cpuVsPeer = row.variant === 'none' || !hasPeer ? '' : fmt(medCpu('passport-jwt-keyobject') / medCpu(row.variant), 2);
      console.log(
        `| ${row.label} | ${fmt(m)} | ${fmt(Math.min(...s.rps))} – ${fmt(Math.max(...s.rps))} | ${fmt(median(s.p50))} / ${fmt(median(s.p99))} | ${fmt(m / ceiling, 2)} | ${vsPeer} | ${fmt(medCpu(row.variant), 1)} | ${cpuVsPeer} |`,
      );
    }
    // Issue #9's targets: JWTStrategy >= 1.3x passport-jwt with one token (>= 1.0x with --tokens=100000), the stateless strategy >= 0.8x the ceiling.
    const jwtTarget = tokenCount > 1 ? '1.00' : '1.30';
    if (rows.some((r) => r.variant === 'simplejwt') && hasPeer)
      console.log(
        `\nJWTStrategy vs passport-jwt (KeyObject): ${fmt(med('simplejwt') / peer, 2)} by req/s, ${fmt(medCpu('passport-jwt-keyobject') / medCpu('simplejwt'), 2)} by CPU per request (target >= ${jwtTarget})`,
      );
    if (rows.some((r) => r.variant === 'simplejwt-stateless'))
      console.log(`JWTStatelessStrategy vs the no-auth ceiling: ${fmt(med('simplejwt-stateless') / ceiling, 2)} (target >= 0.80)`);
    // Issue #25's targets: with distinct tokens both strategies >= 1.0x passport-jwt; jwtAuth() stateless >= 0.8x the ceiling.
    const has = (v: Variant) => rows.some((r) => r.variant === v);
    if (tokenCount > 1 && hasPeer)
      for (const v of ['simplejwt', 'simplejwt-stateless', 'simplejwt-jwtauth', 'simplejwt-stateless-jwtauth'] as const)
        if (has(v))
          console.log(
            `#25 distinct tokens, ${v} vs passport-jwt (KeyObject): ${fmt(med(v) / peer, 2)} by req/s, ${fmt(medCpu('passport-jwt-keyobject') / medCpu(v), 2)} by CPU (target >= 1.00)`,
          );
    if (has('simplejwt-stateless-jwtauth'))
      console.log(
        `#25 jwtAuth() stateless vs the no-auth ceiling: ${fmt(med('simplejwt-stateless-jwtauth') / ceiling, 2)} by req/s, ${fmt(medCpu('none') / medCpu('simplejwt-stateless-jwtauth'), 2)} by CPU (target >= 0.80)`,
      );
  } finally {
    await Promise.all(apps.map(stop));
    clearTimeout(deadline);
    if (profDir) console.log(`CPU profile of '${profiled}' in ${profDir}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
