import { createSecretKey, sign, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, type Algorithm, type Payload } from '../../../lib';
import { readJws, signatureCheck, signer, verifyJws } from '../../../lib/backend/jws';
import { Clock, SECRET } from '../../helpers/fixtures';
import { ed25519Pair, keyPair } from '../../helpers/keys';

// Issue #22 (install weight): jsonwebtoken is no longer a run-time dependency. It stays the
// oracle here: the node:crypto signer (lib/backend/jws.ts) gives byte for byte the tokens
// jsonwebtoken signed for the deterministic algorithms (HS*, RS*), header order included
// (`alg`, `typ`, `kid`: Django Simple JWT and PyJWT see the same wire form); the randomised
// ones (PS*, ES*) verify both ways; and the unverified read answers as `jwt.decode` did.

const quiet = { warn: () => undefined, error: () => undefined };
const b64 = (text: string) => Buffer.from(text).toString('base64url');

const HMAC: readonly Algorithm[] = ['HS256', 'HS384', 'HS512'];
const RSA: readonly Algorithm[] = ['RS256', 'RS384', 'RS512'];
const RANDOMISED: readonly Algorithm[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const CURVE = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
/** JOSE's r || s lengths (RFC 7518 §3.4): DER would be longer and vary. */
const ES_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/** The signing and verifying keys of an algorithm, as the backend holds them (KeyObjects). */
function keysFor(algorithm: Algorithm): { signing: KeyObject; verifying: KeyObject } {
  if (algorithm.startsWith('HS')) {
    const secret = createSecretKey(Buffer.from(SECRET));
    return { signing: secret, verifying: secret };
  }
  if (algorithm === 'EdDSA') return { signing: ed25519Pair().privateKey, verifying: ed25519Pair().publicKey };
  const pair = algorithm.startsWith('ES') ? keyPair(CURVE[algorithm as keyof typeof CURVE]) : keyPair('rsa');
  return { signing: pair.privateKey, verifying: pair.publicKey };
}

/** Payloads as the backend's JSON encoder may write them: spacing, key order and non-ASCII text are kept as given. */
const PAYLOADS = [
  '{"token_type":"access","exp":1800000000,"iat":1799999700,"jti":"0123456789abcdef0123456789abcdef","user_id":"1"}',
  '{"user_id":42,"name":"Zoë ☃ 𝄞","aud":["api","admin"],"iss":"https://issuer.example"}',
  '{ "spaced" : [1, 2.5, null, true], "nested": {"a": {"b": "\\u0000"}} }',
  '{}',
];

/** The header the backend signs under: `alg`, `typ`, then `kid` when the signing key is named. */
function header(algorithm: Algorithm, kid?: string): { alg: Algorithm; typ: 'JWT'; kid?: string } {
  return { alg: algorithm, typ: 'JWT', ...(kid === undefined ? {} : { kid }) };
}

/** jsonwebtoken's signature of a string payload under the backend's header: what the backend returned before #22. */
function jsonwebtoken(algorithm: Algorithm, json: string, key: KeyObject, kid?: string): string {
  return jwt.sign(json, key, { algorithm: algorithm as jwt.Algorithm, header: header(algorithm, kid) as jwt.JwtHeader });
}

describe('signing on node:crypto against jsonwebtoken (#22, differential)', () => {
  for (const algorithm of [...HMAC, ...RSA]) {
    it(`${algorithm}: the same token, byte for byte, with and without kid`, () => {
      const { signing } = keysFor(algorithm);
      const sign = signer(algorithm);
      for (const kid of [undefined, '2026-12', 'a "quoted" \\ kid']) {
        for (const json of PAYLOADS) {
          const ours = sign(b64(JSON.stringify(header(algorithm, kid))), json, signing);
          expect(ours, `${algorithm} kid ${String(kid)} ${json}`).to.equal(jsonwebtoken(algorithm, json, signing, kid));
        }
      }
    });

    it(`${algorithm}: a kid beyond ASCII is UTF-8 on the wire (RFC 7515 §7.1), where jsonwebtoken wrote Latin-1, and the token verifies`, () => {
      const signingKey = algorithm.startsWith('HS') ? SECRET : keyPair('rsa').privatePem;
      for (const kid of ['clé', '☃ 2026']) {
        const sj = new SimpleJWT({ algorithm, signingKey: { kid, key: signingKey }, logger: quiet });
        const token = sj.backend.encode({ user_id: '1' });
        expect(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).to.equal(`{"alg":"${algorithm}","typ":"JWT","kid":"${kid}"}`);
        expect({ ...sj.backend.decode(token) }).to.deep.equal({ user_id: '1' });
        // jsonwebtoken's header was Latin-1 ('☃' cut to one byte): our verifier, as PyJWT, could not read its kid.
        const old = jsonwebtoken(algorithm, '{"user_id":"1"}', keysFor(algorithm).signing, kid);
        expect(old.split('.')[0]).to.not.equal(token.split('.')[0]);
        expect(() => sj.backend.decode(old)).to.throw('Token is invalid');
      }
    });

    it(`${algorithm}: the backend's encode() gives jsonwebtoken's token, the header in the order alg, typ, kid`, () => {
      const { signing } = keysFor(algorithm);
      const claims = JSON.parse(PAYLOADS[1]) as Payload;
      for (const kid of [undefined, '2026-12']) {
        const signingKey = algorithm.startsWith('HS') ? SECRET : keyPair('rsa').privatePem;
        const sj = new SimpleJWT({ algorithm, signingKey: kid === undefined ? signingKey : { kid, key: signingKey }, logger: quiet });
        const token = sj.backend.encode(claims);
        expect(token).to.equal(jsonwebtoken(algorithm, JSON.stringify(claims), signing, kid));
        const wire = Buffer.from(token.split('.')[0], 'base64url').toString();
        expect(wire).to.equal(kid === undefined ? `{"alg":"${algorithm}","typ":"JWT"}` : `{"alg":"${algorithm}","typ":"JWT","kid":"${kid}"}`);
      }
    });
  }

  for (const algorithm of RANDOMISED) {
    it(`${algorithm}: jsonwebtoken verifies ours, ours verifies jsonwebtoken's`, () => {
      const { signing, verifying } = keysFor(algorithm);
      const sign = signer(algorithm);
      const check = signatureCheck(algorithm);
      for (const kid of [undefined, '2026-12']) {
        for (const json of PAYLOADS) {
          const ours = sign(b64(JSON.stringify(header(algorithm, kid))), json, signing);
          const verified = jwt.verify(ours, verifying, { algorithms: [algorithm as jwt.Algorithm], complete: true });
          expect(verified.header).to.deep.equal(header(algorithm, kid));
          expect(verified.payload).to.deep.equal(JSON.parse(json));
          if (algorithm.startsWith('ES')) expect(Buffer.from(ours.split('.')[2], 'base64url').length).to.equal(ES_SIGNATURE_BYTES[algorithm]);
          const theirs = jsonwebtoken(algorithm, json, signing, kid);
          // Randomised: the header and payload are the same text, the signature differs.
          expect(theirs.slice(0, theirs.lastIndexOf('.'))).to.equal(ours.slice(0, ours.lastIndexOf('.')));
          const result = verifyJws(theirs, algorithm, check, verifying);
          expect(result.ok, `${algorithm} ${json}`).to.equal(true);
          if (result.ok) expect(result.payload).to.deep.equal(JSON.parse(json));
        }
      }
    });
  }

  it("EdDSA (jsonwebtoken cannot sign it): Ed25519 over jws's signing input, as the backend signed it before #22", () => {
    const { signing, verifying } = keysFor('EdDSA');
    for (const json of PAYLOADS) {
      const encodedHeader = b64(JSON.stringify(header('EdDSA', '2026-12')));
      const input = `${encodedHeader}.${b64(json)}`;
      const ours = signer('EdDSA')(encodedHeader, json, signing);
      expect(ours).to.equal(`${input}.${sign(null, Buffer.from(input), signing).toString('base64url')}`);
      expect(verifyJws(ours, 'EdDSA', signatureCheck('EdDSA'), verifying).ok).to.equal(true);
    }
  });
});

describe('unverified reads without jsonwebtoken (#22, differential against jwt.decode)', () => {
  const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'family_exp', 'refresh_exp'];
  const invalid = { error: 'TokenBackendError: Token is invalid' };

  /** The backend's read before #22: `jwt.decode(token, { complete: true })`, a claim set, no `crit`, storable times. */
  function reference(token: string): unknown {
    let decoded: jwt.Jwt | null;
    try {
      decoded = jwt.decode(token, { complete: true });
    } catch {
      return invalid;
    }
    const claims = decoded?.payload as unknown;
    if (!decoded || claims === null || typeof claims !== 'object' || Array.isArray(claims)) return invalid;
    if (Object.prototype.hasOwnProperty.call(decoded.header, 'crit')) return invalid;
    for (const name of TIME_CLAIMS) {
      const value = (claims as Record<string, unknown>)[name];
      if (Object.prototype.hasOwnProperty.call(claims, name) && (typeof value !== 'number' || value < -62135596800 || value > 253402300799)) return invalid;
    }
    return { claims: { ...(claims as Payload) } };
  }

  /**
   * Where the read is stricter than jsonwebtoken on purpose, as the verifier and PyJWT: a
   * header that is a JSON value but not an object (`123`, `[]`, `"x"`, `true`), and a
   * `typ: JWT` payload that is a JSON string holding an object (jsonwebtoken parses it twice).
   */
  function stricter(headerText: string, payloadText: string): boolean {
    let header: unknown;
    try {
      header = JSON.parse(headerText);
    } catch {
      return false;
    }
    if (!header) return false;
    if (typeof header !== 'object' || Array.isArray(header)) return true;
    if ((header as { typ?: unknown }).typ !== 'JWT') return false;
    try {
      const once: unknown = JSON.parse(payloadText);
      return typeof once === 'string' && typeof JSON.parse(once) === 'object';
    } catch {
      return false;
    }
  }

  const HEADERS = [
    '{"alg":"HS256","typ":"JWT"}',
    '{"alg":"HS256"}',
    '{"alg":"none","typ":"jwt"}',
    '{"alg":"HS256","typ":"JWT","crit":["exp"]}',
    '{"alg":"HS256","kid":"é"}',
    '{"__proto__":{"typ":"JWT"},"alg":"HS256"}',
    'not json',
    '',
    '0',
    'null',
    'false',
    '""',
    '123',
    '[]',
    '"x"',
    'true',
  ];
  const PAYLOADS_READ = [
    '{"user_id":"1","exp":1800000000}',
    '{"user_id":"Zoë ☃","aud":["a","b"]}',
    '{"__proto__":{"admin":true},"constructor":1}',
    '{"exp":"1800000000"}',
    '{"iat":1e20}',
    '{}',
    'hello',
    '',
    '[1,2]',
    '[]',
    '"hello"',
    '"{\\"user_id\\":\\"1\\"}"',
    '123',
    'null',
    'true',
    ' {"user_id":"1"} ',
    '\ufeff{"user_id":"1"}',
    '{"user_id":"1"',
  ];
  const SIGNATURES = ['c2ln', '', 'c2ln=', 'c2ln.c2ln'];

  it(`${HEADERS.length * PAYLOADS_READ.length * SIGNATURES.length} tokens of odd headers, payloads and signatures read as jwt.decode read them`, () => {
    const sj = new SimpleJWT({ signingKey: SECRET, now: new Clock().now, logger: quiet });
    const outcome = (token: string): unknown => {
      try {
        return { claims: { ...sj.backend.decode(token, false) } };
      } catch (err) {
        return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
      }
    };
    const seen = { claims: 0, invalid: 0, stricter: 0 };
    for (const headerText of HEADERS) {
      for (const payloadText of PAYLOADS_READ) {
        for (const signature of SIGNATURES) {
          const token = `${b64(headerText)}.${b64(payloadText)}.${signature}`;
          const expected = reference(token);
          const strict = stricter(headerText, payloadText) && 'claims' in (expected as object);
          const got = outcome(token);
          expect(got, `header ${headerText} payload ${payloadText} signature ${signature}`).to.deep.equal(strict ? invalid : expected);
          if (strict) seen.stricter++;
          else if ('claims' in (got as object)) seen.claims++;
          else seen.invalid++;
        }
      }
    }
    // The cases reach claims, refusals and each deliberate difference.
    expect(seen.claims).to.be.greaterThan(0);
    expect(seen.invalid).to.be.greaterThan(0);
    expect(seen.stricter).to.be.greaterThan(0);
  });

  it('missing and extra parts, and text that is no token, are refused as jwt.decode refuses them', () => {
    const sj = new SimpleJWT({ signingKey: SECRET, logger: quiet });
    const good = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64('{"user_id":"1"}')}`;
    const odd = [
      '',
      '.',
      '..',
      good,
      `${good.split('.')[0]}..sig`,
      `.${good.split('.')[1]}.sig`,
      `${good}.sig.more`,
      `${good} .sig`,
      ` ${good}.sig`,
      `${good}.sig\n`,
    ];
    for (const token of odd) {
      expect(jwt.decode(token, { complete: true }), JSON.stringify(token)).to.equal(null);
      expect(() => sj.backend.decode(token, false), JSON.stringify(token)).to.throw('Token is invalid');
      expect(readJws(token), JSON.stringify(token)).to.equal(undefined);
    }
    // An unsigned token is read (not verified), as jwt.decode reads it.
    expect({ ...sj.backend.decode(`${good}.`, false) }).to.deep.equal({ user_id: '1' });
  });

  it('the header read to pick a remote key is the one jwt.decode read (kid, alg), or none where it read none', () => {
    for (const kid of ['2026-12', 'a b', '']) {
      const token = jwt.sign({ user_id: '1' }, SECRET, { algorithm: 'HS256', keyid: kid });
      expect(readJws(token)?.header).to.deep.equal(jwt.decode(token, { complete: true })?.header);
    }
    // A header beyond ASCII is read as UTF-8 (RFC 7515), as the verifier and PyJWT read it; jws read Latin-1.
    const utf8 = `${b64('{"alg":"HS256","kid":"é"}')}.${b64('{}')}.c2ln`;
    expect(readJws(utf8)?.header.kid).to.equal('é');
    expect(jwt.decode(utf8, { complete: true })?.header.kid).to.equal('Ã©');
    // Else the same header, and none where jsonwebtoken read none: a `typ: JWT` token whose payload is not JSON (jws throws).
    let none = 0;
    for (const headerText of HEADERS.filter((text) => text.startsWith('{') && /^[\x20-\x7e]*$/.test(text))) {
      for (const payloadText of PAYLOADS_READ) {
        const token = `${b64(headerText)}.${b64(payloadText)}.c2ln`;
        let expected: unknown;
        try {
          expected = jwt.decode(token, { complete: true })?.header;
        } catch {
          expected = undefined;
        }
        if (expected === undefined) none++;
        expect(readJws(token)?.header, `header ${headerText} payload ${payloadText}`).to.deep.equal(expected);
      }
    }
    expect(none).to.be.greaterThan(0);
  });
});
