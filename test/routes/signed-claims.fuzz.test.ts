import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import { Agent, type Server } from 'node:http';
import request from 'supertest';
import { useTestDatabase } from '../helpers/database';
import { PROTECTED, TOKEN_MOUNT, fullApp, signRaw, validClaims } from '../helpers/full-app';

/**
 * Tokens signed with the test key but hostile in every other way: the class
 * of input the bad-input fuzz table cannot reach without the key. Every
 * token endpoint (both apps and rotation on) and a JWTStrategy route must
 * answer it without a 5xx. Seeded and bounded: FUZZ_SEED=<n> replays a run,
 * FUZZ_CASES=<n> changes its size.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed11);
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const PARALLEL = 8;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  -1.5,
  0.1,
  5e-324,
  1e-300,
  2 ** 31,
  2 ** 32,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  1e15,
  8.64e12,
  8.64e15,
  253402300799,
  253402300800,
  -62135596801,
  1e20,
  -1e20,
  1e308,
  -1e308,
  1.7976931348623157e308,
];
const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ud800',
  '\udfff',
  '\ufeff',
  '😀',
  'é',
  'ﷺ',
  '\u202e',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e20',
  '1',
  '-1',
  '0x10',
  "'; DROP TABLE token_blacklist_outstandingtoken; --",
  '" OR 1=1 --',
  '%s%n',
  '\\',
  '/',
  '..',
  '__proto__',
  'constructor',
  'prototype',
  'refresh',
  'access',
  'sliding',
  'f'.repeat(32),
];
const NAMES = [
  'exp',
  'nbf',
  'iat',
  'jti',
  'token_type',
  'user_id',
  'family_id',
  'family_exp',
  'refresh_exp',
  'hash_password',
  'aud',
  'iss',
  'sub',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  '',
  ' ',
  '\u0000',
  '😀',
  'a'.repeat(300),
];
const HEADER_NAMES = ['crit', 'kid', 'typ', 'cty', 'jku', 'x5u', 'jwk', 'x5c', 'b64', 'zip', 'enc', '__proto__', 'constructor', 'http://example.com/ext'];

/** Any JSON value, hostile-leaning, nested up to `depth`. */
function value(random: Random, depth = 2): unknown {
  const kind = random();
  if (kind < 0.3) return pick(random, NUMBERS);
  if (kind < 0.55) return pick(random, STRINGS);
  if (kind < 0.65) return pick(random, STRINGS).repeat(1 + Math.floor(random() * 600));
  if (kind < 0.72) return pick(random, [null, true, false]);
  if (kind < 0.8) return Math.floor(random() * 2 ** 32) - 2 ** 31;
  if (depth === 0) return pick(random, [[], {}]);
  if (kind < 0.9) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth - 1));
  const obj: Record<string, unknown> = Object.create(null);
  for (let i = Math.floor(random() * 4); i > 0; i--) obj[pick(random, NAMES)] = value(random, depth - 1);
  return obj;
}

/** A valid token of `type` with one to four claims replaced, and sometimes an odd header. */
function hostileToken(random: Random, type: 'access' | 'refresh' | 'sliding', now: Date, index: number) {
  const claims = validClaims(type, now, `fuzz${index}`, `family${index % 50}`);
  for (let i = 1 + Math.floor(random() * 4); i > 0; i--) {
    const name = pick(random, NAMES);
    if (random() < 0.1) delete claims[name];
    else claims[name] = value(random);
  }
  const header: Record<string, unknown> = Object.create(null);
  if (random() < 0.25) {
    for (let i = 1 + Math.floor(random() * 2); i > 0; i--) {
      const name = pick(random, HEADER_NAMES);
      header[name] = name === 'crit' && random() < 0.6 ? [pick(random, [...HEADER_NAMES, 'exp'])] : value(random, 1);
    }
  }
  return { claims, header, token: signRaw(claims, header) };
}

const ENDPOINTS: Array<{ path: string; field: string | null; type: 'access' | 'refresh' | 'sliding' }> = [
  { path: `${TOKEN_MOUNT}refresh/`, field: 'refresh', type: 'refresh' },
  { path: `${TOKEN_MOUNT}verify/`, field: 'token', type: 'refresh' },
  { path: `${TOKEN_MOUNT}blacklist/`, field: 'refresh', type: 'refresh' },
  { path: `${TOKEN_MOUNT}family/blacklist/`, field: 'refresh', type: 'refresh' },
  { path: `${TOKEN_MOUNT}sliding/refresh/`, field: 'token', type: 'sliding' },
  { path: `${TOKEN_MOUNT}verify/`, field: 'token', type: 'sliding' },
  { path: PROTECTED, field: null, type: 'access' },
  { path: PROTECTED, field: null, type: 'sliding' },
];

/** A case as printed on failure: enough to read, and FUZZ_SEED to replay it. */
function describeCase(index: number, path: string, claims: object, header: object): string {
  const show = (o: object) => {
    const json = JSON.stringify(o);
    return json.length > 600 ? `${json.slice(0, 600)}… (${json.length} chars)` : json;
  };
  return `FUZZ_SEED=${SEED} case #${index}: ${path} header=${show(header)} claims=${show(claims)}`;
}

describe(`signed hostile tokens never get a 5xx (fuzz, seed ${SEED}, ${CASES} cases)`, function () {
  // About 20 s on an idle machine; the margin is for a machine shared with other runs.
  this.timeout(240_000);
  const openDatabase = useTestDatabase();
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('every token endpoint and a JWTStrategy route', async () => {
    const db = await openDatabase();
    const { app, clock } = fullApp(db, { refreshTokenReuseInterval: 5 });
    // One server for the whole run (supertest would start one per request).
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const random = prng(SEED);
    // Generated up front, in order, so the seed alone replays every case whatever the timing.
    const cases = Array.from({ length: CASES }, (_, index) => {
      const endpoint = ENDPOINTS[index % ENDPOINTS.length];
      return { index, endpoint, ...hostileToken(random, endpoint.type, clock.now(), index) };
    });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    // Keep-alive connections: the cases, not TCP handshakes, are what takes the time.
    const agent = new Agent({ keepAlive: true, maxSockets: PARALLEL });
    const run = async ({ index, endpoint, claims, header, token }: (typeof cases)[number]) => {
      const what = describeCase(index, endpoint.path, claims, header);
      try {
        const res =
          endpoint.field === null
            ? await request(base).get(endpoint.path).agent(agent).set('Authorization', `Bearer ${token}`)
            : await request(base)
                .post(endpoint.path)
                .agent(agent)
                .send({ [endpoint.field]: token });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) failures.push(`${what} → ${res.status} ${JSON.stringify(res.body)}`);
      } catch (err) {
        failures.push(`${what} → ${(err as Error).message}`);
      }
    };
    // A few clients at a time, as a real server sees them.
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < cases.length) await run(cases[next++]);
        }),
      );
    } finally {
      agent.destroy();
    }
    expect(failures, failures.slice(0, 5).join('\n')).to.deep.equal([]);
    // The run reached past decode: some hostile-but-harmless tokens were served.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).to.be.above(0);
  });
});
