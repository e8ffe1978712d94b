/**
 * `npx tsx bench/login-flood.bench.ts`: does a flood of wrong-password logins
 * starve the other endpoints? The demo app (SQLite, scrypt) serves
 * `GET /api/me/` (a JWTStrategy user lookup and a family check: SQLite work on
 * libuv's threadpool, which scrypt shares) to a steady load, first alone,
 * then beside 64 clients posting wrong passwords to `/api/token/`. Recorded:
 * `/api/me/` p50/p99 alone and under the flood, per configuration; the
 * configurations are interleaved round by round so a busy machine hits each alike.
 *
 * Options: --rounds (3), --duration (5 s per phase), --connections (10 on
 * /api/me/), --flood (64 login clients).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { fmt, median, option, stopChild } from './support';
import { DEMO_PASSWORD, DEMO_USERNAME, type DemoAppOptions } from '../examples/app';

interface Config {
  label: string;
  options: Pick<DemoAppOptions, 'loginConcurrency' | 'loginThrottle'>;
}

const CONFIGS: Config[] = [
  { label: 'no bound (as before #11), no throttle', options: { loginConcurrency: 1_000_000, loginThrottle: false } },
  { label: 'bound 2 (default), no throttle', options: { loginThrottle: false } },
  { label: 'bound 1, no throttle', options: { loginConcurrency: 1, loginThrottle: false } },
  { label: 'bound 2 + loginThrottle (the demo)', options: {} },
];

const rounds = option('rounds', 3);
const duration = option('duration', 5);
const connections = option('connections', 10);
const flood = option('flood', 64);
/** --only=0,2: run these configurations only (indexes into CONFIGS). */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .map(Number);

interface App {
  config: Config;
  child: ChildProcess;
  base: string;
  authorization: string;
}

async function start(config: Config, secret: string): Promise<App> {
  const child = fork(path.join(__dirname, 'login-flood.server.ts'), [JSON.stringify(config.options)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SECRET: secret },
  });
  const { port, access } = await new Promise<{ port: number; access: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${config.label}: exited with ${code} before listening`)));
    child.once('message', (msg) => resolve(msg as { port: number; access: string }));
  });
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: DEMO_USERNAME, password: DEMO_PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`${config.label}: the demo login answered ${login.status}`);
  return { config, child, base, authorization: `Bearer ${access}` };
}

function stop(app: App): Promise<void> {
  return stopChild(app.child);
}

interface Phase {
  p50: number;
  p99: number;
  /** /api/me/ requests answered, and those given up after autocannon's 10 s timeout or answered with an error (starved). */
  served: number;
  timeouts: number;
  /** Logins answered per second by the flood (0 when there is none), and how many were 429. */
  logins: number;
  throttled: number;
}

/**
 * The flood, from its own process (autocannon's CLI): in this one it would
 * compete with the /api/me/ client for the event loop and skew its latencies.
 */
function floodFrom(url: string): Promise<{ requests: { average: number }; '4xx': number }> {
  const cli = require.resolve('autocannon/autocannon.js');
  const args = [cli, '--json', '-c', String(flood), '-d', String(duration), '-m', 'POST', '-H', 'content-type=application/json'];
  args.push('-b', JSON.stringify({ username: DEMO_USERNAME, password: 'wrong-password' }), url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
  });
}

function drained(app: App): Promise<void> {
  return new Promise((resolve) => {
    app.child.once('message', () => resolve());
    app.child.send('drain');
  });
}

async function phase(app: App, withFlood: boolean): Promise<Phase> {
  const me = autocannon({ url: `${app.base}/api/me/`, connections, duration, headers: { authorization: app.authorization } });
  const logins = withFlood ? floodFrom(`${app.base}/api/token/`) : null;
  const [meResult, loginResult] = await Promise.all([me, logins]);
  // The logins the flood left behind run on: wait for them, so the next measurement starts on an idle machine.
  if (withFlood) await drained(app);
  // A non-2xx /api/me/ under the flood is a starved request too (a 503 past storageTimeout while the flood holds the threadpool).
  return {
    p50: meResult.latency.p50,
    p99: meResult.latency.p99,
    served: meResult.requests.total - meResult.non2xx,
    timeouts: meResult.timeouts + meResult.non2xx,
    logins: loginResult ? loginResult.requests.average : 0,
    throttled: loginResult?.['4xx'] ?? 0,
  };
}

async function main(): Promise<void> {
  const secret = randomBytes(32).toString('hex');
  const planned = CONFIGS.length * rounds * duration * 2;
  console.log(
    `# ${new Date().toISOString()} · node ${process.version} · ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length} · load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `# ${rounds} rounds x (${duration} s alone + ${duration} s flooded), ${connections} connections on /api/me/, ${flood} login clients; about ${planned} s of load`,
  );

  const apps: App[] = [];
  const deadline = setTimeout(
    () => {
      console.error('bench: over time, stopping');
      for (const app of apps) app.child.kill('SIGKILL');
      process.exit(2);
    },
    (planned * 4 + 300) * 1000,
  );
  deadline.unref();

  try {
    for (const [index, config] of CONFIGS.entries()) if (!only || only.includes(index)) apps.push(await start(config, secret));
    const samples = new Map<App, { alone: Phase[]; flooded: Phase[] }>(apps.map((a) => [a, { alone: [], flooded: [] }]));
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = [];
      for (const app of apps) {
        const alone = await phase(app, false);
        const flooded = await phase(app, true);
        samples.get(app)!.alone.push(alone);
        samples.get(app)!.flooded.push(flooded);
        line.push(`${app.config.label}: p99 ${alone.p99} → ${flooded.p99} ms (${flooded.served} served, ${flooded.timeouts} starved)`);
      }
      console.log(`round ${round}/${rounds} (load ${os.loadavg()[0].toFixed(2)}): ${line.join(' · ')}`);
    }
    console.log(
      '\n| configuration | /api/me/ p50 / p99 alone (ms) | p50 / p99 under the flood (ms) | p99 flooded / alone | /api/me/ answered alone / flooded (starved) | logins answered/s (429s) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const app of apps) {
      const s = samples.get(app)!;
      const m = (list: Phase[], key: keyof Phase) => median(list.map((p) => p[key]));
      const ratio = m(s.flooded, 'p99') / Math.max(1, m(s.alone, 'p99'));
      console.log(
        `| ${app.config.label} | ${fmt(m(s.alone, 'p50'))} / ${fmt(m(s.alone, 'p99'))} | ${fmt(m(s.flooded, 'p50'))} / ${fmt(m(s.flooded, 'p99'))} | ${fmt(ratio, 2)} | ${fmt(m(s.alone, 'served'))} / ${fmt(m(s.flooded, 'served'))} (${fmt(m(s.flooded, 'timeouts'))}) | ${fmt(m(s.flooded, 'logins'))} (${fmt(m(s.flooded, 'throttled'))}) |`,
      );
    }
    console.log('\nTarget: p99 under the flood <= 3x p99 alone.');
  } finally {
    await Promise.all(apps.map(stop));
    clearTimeout(deadline);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
