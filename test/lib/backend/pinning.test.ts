import { createHmac, createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, TokenBackendError, TokenError } from '../../../lib';
import { Clock, SECRET } from '../../helpers/fixtures';
import { rawJwt } from '../../helpers/http';
import { keyPair } from '../../helpers/keys';
import { signatureCheck, verifyJws } from '../../../lib/backend/jws';

function claims(clock: Clock): Record<string, unknown> {
  const now = Math.floor(clock.now().getTime() / 1000);
  return { token_type: 'access', exp: now + 300, iat: now, jti: 'a'.repeat(32), user_id: '1' };
}

/** Signs header.payload with HMAC-SHA256 under `secret`, whatever the header says. */
function hmacSigned(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const unsigned = rawJwt(header, payload).slice(0, -1);
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('TokenBackend: the algorithm is pinned', () => {
  it('refuses a token whose header names another HMAC algorithm (same secret)', () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    const raw = jwt.sign(claims(clock), SECRET, { algorithm: 'HS512' });
    expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendError, 'Invalid algorithm specified');
    expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
  });

  it("refuses alg 'none' (unsigned), with and without a trailing signature", () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    for (const alg of ['none', 'None', 'NONE']) {
      const raw = rawJwt({ alg, typ: 'JWT' }, claims(clock));
      expect(() => new sj.AccessToken(raw), alg).to.throw(TokenError, 'Token is invalid');
      expect(() => new sj.AccessToken(`${raw}c2ln`), alg).to.throw(TokenError, 'Token is invalid');
    }
  });

  it('refuses HS/RS key confusion: a token HMAC-signed with the RSA public key PEM', () => {
    const clock = new Clock();
    const keys = keyPair('rsa');
    const sj = new SimpleJWT({ algorithm: 'RS256', signingKey: keys.privatePem, verifyingKey: keys.publicPem, now: clock.now });
    const forged = hmacSigned({ alg: 'HS256', typ: 'JWT' }, claims(clock), keys.publicPem);
    expect(() => sj.backend.decode(forged, true, clock.now())).to.throw(TokenBackendError);
    expect(() => new sj.AccessToken(forged)).to.throw(TokenError, 'Token is invalid');
    // Same with the header lying that it is RS256.
    const lying = hmacSigned({ alg: 'RS256', typ: 'JWT' }, claims(clock), keys.publicPem);
    expect(() => new sj.AccessToken(lying)).to.throw(TokenError, 'Token is invalid');
  });

  it('refuses an RS256 token at an ES256 instance and the reverse', () => {
    const clock = new Clock();
    const rsa = keyPair('rsa');
    const ec = keyPair('P-256');
    const rs = new SimpleJWT({ algorithm: 'RS256', signingKey: rsa.privatePem, now: clock.now });
    const es = new SimpleJWT({ algorithm: 'ES256', signingKey: ec.privatePem, now: clock.now });
    expect(() => new es.AccessToken(String(new rs.AccessToken()))).to.throw(TokenError, 'Token is invalid');
    expect(() => new rs.AccessToken(String(new es.AccessToken()))).to.throw(TokenError, 'Token is invalid');
  });

  it('refuses a PS256 token at an RS256 instance with the same key', () => {
    const clock = new Clock();
    const rsa = keyPair('rsa');
    const rs = new SimpleJWT({ algorithm: 'RS256', signingKey: rsa.privatePem, now: clock.now });
    const raw = jwt.sign(claims(clock), rsa.privatePem, { algorithm: 'PS256' });
    expect(() => new rs.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
  });

  it('refuses a token whose header or payload is not compact base64url, even when signed over that very text', () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    const [header, payload] = rawJwt({ alg: 'HS256', typ: 'JWT' }, claims(clock)).split('.');
    const signedText = (text: string) => `${text}.${createHmac('sha256', SECRET).update(text).digest('base64url')}`;
    expect(sj.backend.decode(signedText(`${header}.${payload}`), true, clock.now()).jti).to.equal('a'.repeat(32));
    for (const text of [`${header}.${payload}=`, `${header}=.${payload}`, `${header}.${payload}.extra`, ` ${header}.${payload}`]) {
      expect(() => sj.backend.decode(signedText(text), true, clock.now()), text).to.throw(TokenBackendError, 'Token is invalid');
      expect(() => new sj.AccessToken(signedText(text)), text).to.throw(TokenError, 'Token is invalid');
    }
  });

  it('a signature check that throws (a key that does not fit the algorithm) is a failed signature, never a pass', () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    const raw = String(new sj.AccessToken());
    // An HMAC check given an RSA public key: node:crypto throws.
    const result = verifyJws(raw, 'HS256', signatureCheck('HS256'), keyPair('rsa').publicKey);
    expect(result).to.include({ ok: false, reason: 'signature' });
  });

  it('verifyJws answers each malformed form as malformed, never ok, in the order the backend maps to its errors', () => {
    const clock = new Clock();
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const hs256 = (text: string) => `${text}.${createHmac('sha256', SECRET).update(text).digest('base64url')}`;
    const verified = (token: string) => verifyJws(token, 'HS256', signatureCheck('HS256'), createSecretKey(Buffer.from(SECRET)));
    const payload = b64(JSON.stringify(claims(clock)));
    // Not three base64url parts.
    expect(verified(`${b64('{"alg":"HS256"}')}.${payload}`)).to.deep.equal({ ok: false, reason: 'malformed' });
    // A header that is JSON but falsy.
    expect(verified(hs256(`${b64('null')}.${payload}`))).to.deep.equal({ ok: false, reason: 'malformed' });
    // A header that is no JSON object: the wrong algorithm, as jsonwebtoken answered.
    expect(verified(hs256(`${b64('[1]')}.${payload}`))).to.deep.equal({ ok: false, reason: 'algorithm' });
    // typ JWT with a payload that is not JSON: malformed before the algorithm is read.
    const jwtHeader = { alg: 'HS512', typ: 'JWT' };
    expect(verified(hs256(`${b64(JSON.stringify(jwtHeader))}.${b64('not json')}`))).to.deep.equal({ ok: false, reason: 'malformed', header: jwtHeader });
    // Without typ, a payload that is not JSON under a good signature: malformed after the signature.
    const plainHeader = { alg: 'HS256' };
    expect(verified(hs256(`${b64(JSON.stringify(plainHeader))}.${b64('not json')}`))).to.deep.equal({ ok: false, reason: 'malformed', header: plainHeader });
    // And the well-formed token is ok.
    expect(verified(hs256(`${b64(JSON.stringify(plainHeader))}.${payload}`))).to.deep.include({ ok: true, header: plainHeader });
  });

  it('refuses a token signed with another RSA key', () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem, now: clock.now });
    const raw = jwt.sign(claims(clock), keyPair('rsa-b').privatePem, { algorithm: 'RS256' });
    expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
  });
});
