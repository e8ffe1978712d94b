import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, type Payload } from '../../../lib';
import { signer } from '../../../lib/backend/jws';
import { Clock, SECRET } from '../../helpers/fixtures';
import { ed25519Pair } from '../../helpers/keys';

const signEdDSA = signer('EdDSA');

// Issue #21 item 5: the EdDSA path (node:crypto + our claim checks) answers every hostile
// claim set and header exactly as the jsonwebtoken path (HS256) does: same claims, or the
// same error class and message. FUZZ_SEED replays a run.

const SEED = Number(process.env.FUZZ_SEED ?? 21);
const CASES = 600;
const quiet = { warn: () => undefined, error: () => undefined };

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

const CLAIMS = ['exp', 'nbf', 'iat', 'aud', 'iss', 'jti', 'token_type', 'family_exp', 'refresh_exp', 'user_id', '__proto__', 'constructor'];
const HEADERS = ['crit', 'kid', 'typ', 'cty', 'b64', 'zip', '__proto__'];

describe('EdDSA answers hostile tokens as the jsonwebtoken path does (#21, differential)', () => {
  it(`${CASES} hostile claim sets and headers (seed ${SEED})`, () => {
    const clock = new Clock();
    const common = { issuer: 'https://issuer.example', audience: ['api', 'admin'], leeway: 5, now: clock.now, logger: quiet };
    const hs = new SimpleJWT({ signingKey: SECRET, ...common });
    const ed = new SimpleJWT({ algorithm: 'EdDSA', signingKey: ed25519Pair().privateKey, ...common });
    const random = generator(SEED);
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
      -1e20,
      1.5,
      '1',
      '',
      null,
      true,
      [],
      {},
      ['api'],
      ['x', 'admin'],
      ['x'],
      'api',
      'admin',
      'https://issuer.example',
      ['https://issuer.example'],
      'access',
      'a'.repeat(32),
      { exp: now },
    ];
    const outcome = (sj: SimpleJWT, raw: string): unknown => {
      try {
        return { claims: { ...(sj.backend.decode(raw, true, clock.now()) as Payload) } };
      } catch (err) {
        return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
      }
    };
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const claims: Record<string, unknown> = Object.create(null);
      Object.assign(claims, {
        token_type: 'access',
        exp: now + 300,
        iat: now,
        jti: `${i}`.padStart(32, '0'),
        user_id: '1',
        aud: 'api',
        iss: 'https://issuer.example',
      });
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const name = pick(CLAIMS);
        if (random() < 0.15) delete claims[name];
        else claims[name] = pick(values);
      }
      const header: Record<string, unknown> = Object.create(null);
      if (random() < 0.2) header[pick(HEADERS)] = pick(values);
      const json = JSON.stringify(claims);
      const hsToken = jwt.sign(json, SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT', ...header } as jwt.JwtHeader });
      const edToken = signEdDSA(Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', ...header })).toString('base64url'), json, ed25519Pair().privateKey);
      const expected = outcome(hs, hsToken);
      seen.add('error' in (expected as object) ? String((expected as { error: string }).error) : 'claims');
      expect(outcome(ed, edToken), `case ${i}: header ${JSON.stringify(header)} claims ${json}`).to.deep.equal(expected);
    }
    // The cases reach accepted tokens, expired ones and refused ones alike.
    expect([...seen].sort()).to.deep.equal(['TokenBackendError: Token is invalid', 'TokenBackendExpiredToken: Token is expired', 'claims']);
  });
});
