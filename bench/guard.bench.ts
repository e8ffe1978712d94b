/**
 * The guard alone, in-process (issue #25): each row's middleware (passport-jwt
 * given a KeyObject, the package's strategies through `passport.authenticate`
 * and through `jwtAuth()`) called on a bare request with a token never seen
 * before, µs of CPU time (user + system, this process) per request, median
 * of interleaved rounds (CPU time, so that a busy machine shifts it less than wall time). No HTTP,
 * no Express: what separates the rows on the HTTP bench, measured without its
 * noise, to try a change in seconds before the HTTP bench decides.
 *
 *   npx tsx bench/guard.bench.ts [--rounds=7] [--ops=20000] [--only=JWTStrategy,passport-jwt]
 *   npx tsx bench/guard.bench.ts --only=stateless --prof   # a CPU profile of the timed loops only, in /tmp/guard-<row>.cpuprofile
 */
import { createSecretKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as PassportJwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { JWTStatelessStrategy, JWTStrategy, SimpleJWT, jwtAuth, type UserStore } from '../lib';
import { fmt, median, option } from './support';

const rounds = option('rounds', 7);
const ops = option('ops', 20_000);
const secret = 'bench-secret-that-is-long-enough-for-hs256-and-more-0123456789ab';

interface BenchUser {
  id: number;
  username: string;
  is_active: boolean;
}
const users = new Map<string, BenchUser>([['1', { id: 1, username: 'demo', is_active: true }]]);
const store: UserStore<BenchUser> = { findById: async (id) => users.get(id) ?? null, authenticate: async () => null };

function rows(): Record<string, RequestHandler> {
  const pj = new Passport();
  pj.use(
    new PassportJwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: createSecretKey(Buffer.from(secret)) as unknown as Buffer,
        algorithms: ['HS256'],
      },
      (payload: { user_id?: unknown }, done: VerifiedCallback) => done(null, users.get(String(payload.user_id)) ?? false),
    ),
  );
  const sj = new Passport();
  sj.use(new JWTStrategy(new SimpleJWT<BenchUser>({ signingKey: secret, users: store })));
  sj.use(new JWTStatelessStrategy(new SimpleJWT({ signingKey: secret })));
  return {
    'passport-jwt': pj.authenticate('jwt', { session: false }) as RequestHandler,
    JWTStrategy: sj.authenticate('passport-simplejwt', { session: false }) as RequestHandler,
    stateless: sj.authenticate('passport-simplejwt-stateless', { session: false }) as RequestHandler,
    'JWTStrategy jwtAuth': jwtAuth('passport-simplejwt', { passport: sj }),
    'stateless jwtAuth': jwtAuth('passport-simplejwt-stateless', { passport: sj }),
  };
}

/** Tokens as the package issues them (the claims of an access token), each one different. */
const signingKey = createSecretKey(Buffer.from(secret));
/** Tokens minted so far: every pool's tokens are new, so no row meets a token its verified-token memory has seen. */
let minted = 0;
function tokens(count: number): string[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () =>
    jwt.sign({ token_type: 'access', exp: now + 3600, iat: now, jti: `${(minted++).toString(16).padStart(32, '0')}`, user_id: '1' }, signingKey, {
      algorithm: 'HS256',
    }),
  );
}

/** Runs the guard on each token in turn; every request must reach next() without an error. */
async function run(guard: RequestHandler, pool: string[]): Promise<number> {
  const res = { setHeader() {}, end() {} } as unknown as Response;
  const started = process.cpuUsage();
  for (const token of pool) {
    const req = { headers: { authorization: `Bearer ${token}` }, method: 'GET' } as unknown as Request;
    await new Promise<void>((resolve, reject) => {
      guard(req, res, (err?: unknown) => (err ? reject(err as Error) : req.user ? resolve() : reject(new Error('no user'))));
    });
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / pool.length;
}

async function main(): Promise<void> {
  const guards = rows();
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const names = Object.keys(guards).filter((n) => !only || only.includes(n));
  console.log(`# ${new Date().toISOString()} · node ${process.version} · ${rounds} rounds x ${fmt(ops)} distinct tokens · µs CPU per request`);
  const results = new Map<string, number[]>(names.map((n) => [n, []]));
  const session = process.argv.includes('--prof') ? new Session() : undefined;
  session?.connect();
  await session?.post('Profiler.enable');
  for (let round = 0; round <= rounds; round++) {
    for (const name of names) {
      const pool = tokens(ops);
      if (round > 0) await session?.post('Profiler.start');
      const us = await run(guards[name], pool);
      if (round > 0 && session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(`/tmp/guard-${name.replace(/\W+/g, '-')}-${round}.cpuprofile`, JSON.stringify(profile));
      }
      if (round > 0) results.get(name)!.push(us); // round 0 warms up
    }
  }
  const base = results.has('passport-jwt') ? median(results.get('passport-jwt')!) : NaN;
  for (const name of names) {
    const us = median(results.get(name)!);
    console.log(`${name.padEnd(22)} ${fmt(us, 2).padStart(6)} µs   ${fmt(base / us, 2)}× passport-jwt's speed`);
  }
}

void main();
