import { createRequire } from 'node:module';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, type Algorithm, type Payload } from '../../../lib';
import { Clock, SECRET } from '../../helpers/fixtures';
import { keyPair } from '../../helpers/keys';

// Issue #25: the single-pass verifier on node:crypto (lib/backend/jws.ts) answers every
// seeded hostile token as jsonwebtoken's `verify` did for HS256, RS256, ES256 and PS256:
// the same claims, or the same error class and message. The reference is the backend
// before #25: jsonwebtoken given the KeyObject, then the checks the backend adds
// (canonical signature, no kid for the unnamed key, crit, storable times, iat). FUZZ_SEED
// replays a run.

const SEED = Number(process.env.FUZZ_SEED ?? 25);
const CASES = 300;
const quiet = { warn: () => undefined, error: () => undefined };
/** jwa (jsonwebtoken's own signer) signs any header and payload text, hostile ones too. */
const jwa = createRequire(__filename)('jwa') as (alg: string) => { sign(input: string, key: KeyObject | string): string };

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const CLAIMS = ['exp', 'nbf', 'iat', 'aud', 'iss', 'jti', 'token_type', 'family_exp', 'refresh_exp', 'user_id', '__proto__', 'constructor'];
const HEADERS = ['crit', 'kid', 'typ', 'cty', 'b64', 'zip', '__proto__', 'alg'];
const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'family_exp', 'refresh_exp'];

/** The old backend's canonical-signature rule (unchanged by #25), for the reference. */
function canonical(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const mask = [0, -1, 0b1111, 0b11][signature.length % 4];
  if (mask === -1 || !/^[A-Za-z0-9_-]*$/.test(signature)) return false;
  return mask === 0 || ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(signature[signature.length - 1]) & mask) === 0;
}

interface Options {
  algorithm: Algorithm;
  key: KeyObject;
  leeway: number;
  audience: string[];
  issuer: string;
}

/** The backend before #25: jsonwebtoken's verify, its errors as the backend mapped them, then the backend's own checks. */
function reference(raw: string, now: number, o: Options): unknown {
  const invalid = { error: 'TokenBackendError: Token is invalid' };
  if (!canonical(raw)) return invalid;
  let decoded: jwt.Jwt;
  try {
    decoded = jwt.verify(raw, o.key, {
      algorithms: [o.algorithm as jwt.Algorithm],
      clockTolerance: o.leeway,
      audience: o.audience as [string, ...string[]],
      issuer: o.issuer,
      clockTimestamp: now,
      complete: true,
    });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) return { error: 'TokenBackendExpiredToken: Token is expired' };
    if (err instanceof Error && /invalid algorithm/.test(err.message)) return { error: 'TokenBackendError: Invalid algorithm specified' };
    return invalid;
  }
  const claims = decoded.payload as unknown;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return invalid;
  const header = decoded.header as unknown as Record<string, unknown>;
  if (header.kid !== undefined || Object.prototype.hasOwnProperty.call(header, 'crit')) return invalid;
  const c = claims as Record<string, unknown>;
  for (const name of TIME_CLAIMS) {
    if (!Object.prototype.hasOwnProperty.call(c, name)) continue;
    const value = c[name];
    if (typeof value !== 'number' || value < -62135596800 || value > 253402300799) return invalid;
  }
  if (Object.prototype.hasOwnProperty.call(c, 'iat') && Math.trunc(c.iat as number) > now + o.leeway) return invalid;
  return { claims: { ...c } };
}

function keysOf(algorithm: Algorithm): { signing: KeyObject | string; verifying: KeyObject; other: KeyObject | string } {
  if (algorithm === 'HS256') {
    const sj = new SimpleJWT({ signingKey: SECRET });
    return { signing: SECRET, verifying: (sj.backend as unknown as { ring: { unnamed: KeyObject } }).ring.unnamed, other: `${SECRET}-other` };
  }
  const kind = algorithm === 'ES256' ? 'P-256' : 'rsa';
  return {
    signing: keyPair(kind).privateKey,
    verifying: keyPair(kind).publicKey,
    other: kind === 'rsa' ? keyPair('rsa-b').privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  };
}

describe('the node:crypto verifier answers hostile tokens as jsonwebtoken did (#25, differential)', () => {
  for (const algorithm of ['HS256', 'RS256', 'ES256', 'PS256'] as const) {
    it(`${algorithm}: ${CASES} seeded hostile tokens (seed ${SEED})`, () => {
      const clock = new Clock();
      const { signing, verifying, other } = keysOf(algorithm);
      const options: Options = { algorithm, key: verifying, leeway: 5, audience: ['api', 'admin'], issuer: 'https://issuer.example' };
      const sj = new SimpleJWT({
        algorithm,
        signingKey: signing,
        issuer: options.issuer,
        audience: options.audience,
        leeway: 5,
        now: clock.now,
        logger: quiet,
      });
      const random = generator(SEED + algorithm.length + algorithm.charCodeAt(0));
      const now = Math.floor(clock.now().getTime() / 1000);
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
      const values: unknown[] = [
        now,
        now - 5,
        now - 6,
        now + 5,
        now + 6,
        now + 300,
        -1,
        0,
        1e20,
        1.5,
        '1',
        '',
        null,
        true,
        [],
        {},
        ['api'],
        ['x'],
        'api',
        'https://issuer.example',
        'access',
        'none',
        algorithm,
        'HS512',
        ['crit'],
      ];
      const outcome = (raw: string): unknown => {
        try {
          return { claims: { ...(sj.backend.decode(raw, true, clock.now()) as Payload) } };
        } catch (err) {
          return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
        }
      };
      const seen = new Set<string>();
      for (let i = 0; i < CASES; i++) {
        const claims: Record<string, unknown> = Object.create(null);
        Object.assign(claims, { token_type: 'access', exp: now + 300, iat: now, jti: `${i}`.padStart(32, '0'), user_id: '1', aud: 'api', iss: options.issuer });
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
          const name = pick(CLAIMS);
          if (random() < 0.15) delete claims[name];
          else claims[name] = pick(values);
        }
        const header: Record<string, unknown> = { alg: algorithm, typ: 'JWT' };
        if (random() < 0.25) header[pick(HEADERS)] = pick(values);
        if (random() < 0.1) delete header.typ;
        let headerText = JSON.stringify(header);
        let payloadText = JSON.stringify(claims);
        const shape = random();
        if (shape < 0.04) headerText = pick(['1', '"x"', 'null', '[]', '0', 'false', '{', '', '{"alg":"none"}']);
        else if (shape < 0.08) payloadText = pick(['[]', '"x"', 'null', '5', '{', 'not json', '']);
        const input = `${b64(headerText)}.${b64(payloadText)}`;
        let raw = `${input}.${jwa(algorithm).sign(input, signing)}`;
        const mangle = random();
        if (mangle < 0.04) raw = `${input}.${jwa(algorithm).sign(input, other)}`;
        else if (mangle < 0.07) raw = raw.slice(0, -1) + (raw.endsWith('A') ? 'B' : 'A');
        else if (mangle < 0.09) raw = raw.slice(0, -2);
        else if (mangle < 0.1) raw = `${input}.`;
        else if (mangle < 0.11) raw = `${raw}.x`;
        else if (mangle < 0.12) raw = `${input}.${jwa(algorithm === 'HS256' ? 'HS384' : 'HS256').sign(input, SECRET)}`;
        const expected = reference(raw, now, options);
        seen.add('error' in (expected as object) ? String((expected as { error: string }).error) : 'claims');
        expect(outcome(raw), `case ${i}: ${raw}`).to.deep.equal(expected);
      }
      // Then every pairing of a hostile header with a hostile payload, signed: the order of the refusals.
      const headers = [{ alg: algorithm, typ: 'JWT' }, { alg: algorithm }, { alg: 'none', typ: 'JWT' }, { alg: 'HS512' }, { typ: 'JWT' }, 1, null, [], 'x', 0];
      const payloads = [
        JSON.stringify({ exp: now + 60, aud: ['x', 'y'], iss: options.issuer }),
        JSON.stringify({ exp: now - 60, aud: 'api', iss: options.issuer }),
        '{',
        '[]',
        'null',
        '"x"',
        '7',
      ];
      for (const h of headers) {
        for (const payloadText of payloads) {
          const input = `${b64(JSON.stringify(h))}.${b64(payloadText)}`;
          const raw = `${input}.${jwa(algorithm).sign(input, signing)}`;
          expect(outcome(raw), `fixed: header ${JSON.stringify(h)} payload ${payloadText}`).to.deep.equal(reference(raw, now, options));
        }
      }
      // The cases reach accepted tokens, expired ones, the wrong algorithm and refused ones alike.
      expect([...seen].sort()).to.deep.equal([
        'TokenBackendError: Invalid algorithm specified',
        'TokenBackendError: Token is invalid',
        'TokenBackendExpiredToken: Token is expired',
        'claims',
      ]);
    });
  }
});
