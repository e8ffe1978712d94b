/**
 * The verify step alone on tokens never seen before (issue #25): jsonwebtoken's
 * `verify` given a KeyObject (what the backend called before #25), the
 * single-pass check on node:crypto (lib/backend/jws.ts plus the same claim
 * checks) and fast-jwt, when installed outside the repository.
 *
 *   npx tsx bench/verify.bench.ts [--rounds=7] [--ops=4000]
 *   FASTJWT_DIR=/tmp/fastjwt-bench npx tsx bench/verify.bench.ts   # adds fast-jwt (`npm i fast-jwt` there)
 *
 * Every row verifies the same pool of distinct tokens (signed up front, `exp`,
 * `iat`, `jti`, `token_type`, `user_id`, with `aud` and `iss` checked); rounds
 * run the rows interleaved; µs per operation, median of the rounds.
 */
import { generateKeyPairSync, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { signatureCheck, verifyJws } from '../lib/backend/jws';
import type { Algorithm } from '../lib';
import { fmt, median, option } from './support';

const rounds = option('rounds', 7);
const ops = option('ops', 4000);
const AUD = 'api';
const ISS = 'https://issuer.example';
const NOW = Math.floor(Date.now() / 1000);

/** The part of fast-jwt this bench calls. */
interface FastJwt {
  createVerifier(options: {
    key: KeyObject | string;
    algorithms: string[];
    cache: boolean;
    allowedAud: string;
    allowedIss: string;
    complete: boolean;
  }): (token: string) => unknown;
}

function keys(algorithm: Algorithm): { signing: KeyObject; verifying: KeyObject } {
  if (algorithm.startsWith('HS')) {
    const secret = createSecretKey(Buffer.from('bench-secret-that-is-long-enough-for-hs256-and-more-0123456789ab'));
    return { signing: secret, verifying: secret };
  }
  const { privateKey } = algorithm.startsWith('ES') ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { signing: privateKey, verifying: createPublicKey(privateKey) };
}

/** The claim checks the backend makes after the signature (jsonwebtoken's, in its order). */
function claimsHold(claims: Record<string, unknown>, clock: number): boolean {
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > clock)) return false;
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || clock >= claims.exp)) return false;
  const given: unknown[] = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  return given.includes(AUD) && claims.iss === ISS;
}

function main(): void {
  const fastDir = process.env.FASTJWT_DIR;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fast = fastDir ? (require(join(fastDir, 'node_modules', 'fast-jwt')) as FastJwt) : undefined;
  console.log(`# ${new Date().toISOString()} · node ${process.version} · ${rounds} rounds x ${fmt(ops)} distinct tokens · µs per verify`);
  console.log('\n| algorithm | jsonwebtoken (KeyObject) | node:crypto single pass | fast-jwt | jsonwebtoken / node:crypto | fast-jwt / node:crypto |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const algorithm of ['HS256', 'RS256', 'ES256', 'PS256'] as const) {
    const { signing, verifying } = keys(algorithm);
    const tokens: string[] = [];
    for (let i = 0; i < ops; i++) {
      const claims = {
        token_type: 'access',
        exp: NOW + 3600,
        iat: NOW,
        jti: `${i}-${Math.random().toString(16).slice(2)}`,
        user_id: String(i),
        aud: AUD,
        iss: ISS,
      };
      tokens.push(jwt.sign(claims, signing, { algorithm, header: { alg: algorithm, typ: 'JWT' } }));
    }
    const check = signatureCheck(algorithm);
    const rows: Array<[string, (token: string) => unknown]> = [
      [
        'jsonwebtoken',
        (token) =>
          jwt.verify(token, verifying, { algorithms: [algorithm], clockTolerance: 0, audience: AUD, issuer: ISS, clockTimestamp: NOW, complete: true }),
      ],
      [
        'node:crypto',
        (token) => {
          const result = verifyJws(token, algorithm, check, verifying);
          if (!result.ok || !claimsHold(result.payload as Record<string, unknown>, NOW)) throw new Error('refused');
          return result;
        },
      ],
    ];
    if (fast) {
      const key = algorithm.startsWith('HS') ? verifying.export() : (verifying.export({ format: 'pem', type: 'spki' }) as string);
      rows.push([
        'fast-jwt',
        fast.createVerifier({ key: key as string, algorithms: [algorithm], cache: false, allowedAud: AUD, allowedIss: ISS, complete: true }),
      ]);
    }
    const samples = new Map<string, number[]>(rows.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, verifyOne] of rows) {
        const start = process.hrtime.bigint();
        for (const token of tokens) verifyOne(token);
        samples.get(name)!.push(Number(process.hrtime.bigint() - start) / 1000 / ops);
      }
    }
    const m = (name: string) => (samples.has(name) ? median(samples.get(name)!) : NaN);
    const cell = (v: number, digits = 1) => (Number.isNaN(v) ? '—' : fmt(v, digits));
    console.log(
      `| ${algorithm} | ${cell(m('jsonwebtoken'))} | ${cell(m('node:crypto'))} | ${cell(m('fast-jwt'))} | ${cell(m('jsonwebtoken') / m('node:crypto'), 2)} | ${cell(m('fast-jwt') / m('node:crypto'), 2)} |`,
    );
  }
}

main();
