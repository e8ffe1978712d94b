/**
 * Sign and verify cost per algorithm, and the verified-token memory with keys (issue #21).
 *
 *   npx tsx bench/keys.bench.ts [--rounds=5] [--ops=2000]
 *   JOSE_DIR=/tmp/josebench npx tsx bench/keys.bench.ts   # adds jose's EdDSA, installed outside the repo
 *
 * Rows, each the median of `rounds` runs of `ops` operations, in µs per operation:
 * - the backend's `encode` (sign) and `decode` of tokens never seen (verify: signature and
 *   every claim check) for HS256, RS256, ES256 and EdDSA (node:crypto);
 * - the same EdDSA work by jose (`SignJWT` / `jwtVerify`, async) when JOSE_DIR is given;
 * - `decode` of a remembered token (the verified-token memory's hit path) with one unnamed
 *   key, and with a named signing key and three verifying keys.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { SimpleJWT, type Algorithm, type KeySettings } from '../lib';
import { fmt, median, option } from './support';

const rounds = option('rounds', 5);
const ops = option('ops', 2000);
const SECRET = 'bench-secret-that-is-long-enough-for-hs256-and-more-0123456789ab';
const quiet = { warn: () => undefined, error: () => undefined };
const T0 = Date.UTC(2026, 11, 7);
const now = () => new Date(T0);

/** The part of jose this bench calls (jose is not installed in the repository). */
interface Jose {
  SignJWT: new (payload: Record<string, unknown>) => { setProtectedHeader(header: { alg: string; typ: string }): { sign(key: KeyObject): Promise<string> } };
  jwtVerify(token: string, key: KeyObject, options: { algorithms: string[]; currentDate: Date }): Promise<unknown>;
}

function keysFor(algorithm: Algorithm): { signing: KeyObject | string; extra: KeyObject | string } {
  if (algorithm === 'HS256') return { signing: SECRET, extra: `${SECRET}-2` };
  const pair = (): KeyObject =>
    algorithm === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : algorithm === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
        : generateKeyPairSync('ed25519').privateKey;
  return { signing: pair(), extra: pair() };
}

/** µs per call of `work`, median of the rounds. */
function measure(work: (i: number) => void): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) work(i);
    times.push(Number(process.hrtime.bigint() - start) / 1000 / ops);
  }
  return median(times);
}

async function measureAsync(work: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) await work(i);
    times.push(Number(process.hrtime.bigint() - start) / 1000 / ops);
  }
  return median(times);
}

function instance(algorithm: Algorithm, keys: KeySettings): SimpleJWT {
  return new SimpleJWT({ algorithm, ...keys, logger: quiet, now } as never);
}

async function main(): Promise<void> {
  const rows: Array<[string, string, string]> = [];
  for (const algorithm of ['HS256', 'RS256', 'ES256', 'EdDSA'] as const) {
    const { signing } = keysFor(algorithm);
    const sj = instance(algorithm, { signingKey: signing });
    const payloads = Array.from({ length: ops }, (_, i) => ({
      token_type: 'access',
      exp: T0 / 1000 + 300,
      iat: T0 / 1000,
      jti: `${i}`.padStart(32, '0'),
      user_id: '1',
    }));
    const sign = measure((i) => sj.backend.encode(payloads[i]));
    // Never-seen tokens: a new instance per round would re-key; distinct tokens per op miss the memory instead.
    const tokens = Array.from({ length: rounds }, (_, r) => payloads.map((p) => sj.backend.encode({ ...p, round: r })));
    let round = 0;
    const verifyTimes: number[] = [];
    for (; round < rounds; round++) {
      const fresh = instance(algorithm, { signingKey: signing });
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) fresh.backend.decode(tokens[round][i], true, now());
      verifyTimes.push(Number(process.hrtime.bigint() - start) / 1000 / ops);
    }
    rows.push([`${algorithm}${algorithm === 'EdDSA' ? ' (node:crypto)' : ' (jsonwebtoken)'}`, fmt(sign, 1), fmt(median(verifyTimes), 1)]);
  }

  const joseDir = process.env.JOSE_DIR;
  if (joseDir) {
    // Loaded from outside the repository: jose is not a dependency.
    const jose = (await import(join(joseDir, 'node_modules/jose/dist/webapi/index.js'))) as Jose;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const claims = { token_type: 'access', exp: T0 / 1000 + 300, iat: T0 / 1000, user_id: '1' };
    const sign = await measureAsync((i) => new jose.SignJWT({ ...claims, jti: `${i}` }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(privateKey));
    const tokens = await Promise.all(
      Array.from({ length: ops }, (_, i) => new jose.SignJWT({ ...claims, jti: `${i}` }).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(privateKey)),
    );
    const verify = await measureAsync((i) => jose.jwtVerify(tokens[i], publicKey, { algorithms: ['EdDSA'], currentDate: now() }));
    rows.push(['EdDSA (jose, async)', fmt(sign, 1), fmt(verify, 1)]);
  }

  const { signing, extra } = keysFor('HS256');
  const single = instance('HS256', { signingKey: signing });
  const named = instance('HS256', {
    signingKey: { kid: 'now', key: signing },
    verifyingKeys: [1, 2, 3].map((n) => ({ kid: `k${n}`, key: `${String(extra)}-${n}` })),
  });
  const hit = (sj: SimpleJWT) => {
    const raw = String(new sj.AccessToken());
    sj.backend.decode(raw, true, now());
    return measure(() => sj.backend.decode(raw, true, now()));
  };
  rows.push(['HS256 remembered token, one unnamed key', '', fmt(hit(single), 2)]);
  rows.push(['HS256 remembered token, kid + 3 verifying keys', '', fmt(hit(named), 2)]);

  console.log(`node ${process.version}, ${rounds} rounds of ${ops} operations, µs per operation (median)\n`);
  console.log('| row | sign µs | verify µs |\n|---|---:|---:|');
  for (const [name, sign, verify] of rows) console.log(`| ${name} | ${sign} | ${verify} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
