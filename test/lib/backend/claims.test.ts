import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { ExpiredTokenError, SimpleJWT, TokenBackendError, TokenBackendExpiredToken, TokenError, type SimpleJWTOptions } from '../../../lib';
import { MAX_CLAIM_TIME, MIN_CLAIM_TIME } from '../../../lib/backend';
import { Clock, SECRET } from '../../helpers/fixtures';

function make(options: Partial<SimpleJWTOptions> = {}) {
  const clock = new Clock();
  return { sj: new SimpleJWT({ signingKey: SECRET, now: clock.now, ...options }), clock };
}

describe('TokenBackend: audience, issuer, leeway, jsonEncoder', () => {
  describe('audience', () => {
    it('adds a string audience and requires it on decode', () => {
      const { sj } = make({ audience: 'api.example' });
      const raw = String(new sj.AccessToken());
      expect(jwt.decode(raw)).to.include({ aud: 'api.example' });
      expect(() => new sj.AccessToken(raw)).not.to.throw();
      const other = make({ audience: 'other.example' }).sj;
      expect(() => new other.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
      const none = make().sj;
      expect(() => new sj.AccessToken(String(new none.AccessToken()))).to.throw(TokenError, 'Token is invalid');
    });

    it('adds a list audience and accepts a token for any of its members', () => {
      const { sj } = make({ audience: ['web', 'mobile'] });
      const raw = String(new sj.AccessToken());
      expect((jwt.decode(raw) as jwt.JwtPayload).aud).to.deep.equal(['web', 'mobile']);
      expect(() => new sj.AccessToken(raw)).not.to.throw();
      const mobileOnly = make({ audience: 'mobile' }).sj;
      expect(() => new sj.AccessToken(String(new mobileOnly.AccessToken()))).not.to.throw();
      const desktop = make({ audience: 'desktop' }).sj;
      expect(() => new sj.AccessToken(String(new desktop.AccessToken()))).to.throw(TokenError, 'Token is invalid');
    });
  });

  describe('issuer', () => {
    it('adds iss and refuses another or a missing issuer', () => {
      const { sj } = make({ issuer: 'https://auth.example' });
      const raw = String(new sj.AccessToken());
      expect(jwt.decode(raw)).to.include({ iss: 'https://auth.example' });
      expect(() => new sj.AccessToken(raw)).not.to.throw();
      expect(() => new sj.AccessToken(String(new (make({ issuer: 'https://evil.example' }).sj.AccessToken)()))).to.throw(TokenError, 'Token is invalid');
      expect(() => new sj.AccessToken(String(new (make().sj.AccessToken)()))).to.throw(TokenError, 'Token is invalid');
    });
  });

  describe('issuer and audience together', () => {
    it('each is checked: the same issuer and key but another audience is refused, and the other way round', () => {
      const { sj } = make({ issuer: 'https://auth.example', audience: 'api.example' });
      expect(() => new sj.AccessToken(String(new sj.AccessToken()))).not.to.throw();
      const otherAudience = make({ issuer: 'https://auth.example', audience: 'billing.example' }).sj;
      expect(() => new sj.AccessToken(String(new otherAudience.AccessToken()))).to.throw(TokenError, 'Token is invalid');
      const noAudience = make({ issuer: 'https://auth.example' }).sj;
      expect(() => new sj.AccessToken(String(new noAudience.AccessToken()))).to.throw(TokenError, 'Token is invalid');
      const otherIssuer = make({ issuer: 'https://evil.example', audience: 'api.example' }).sj;
      expect(() => new sj.AccessToken(String(new otherIssuer.AccessToken()))).to.throw(TokenError, 'Token is invalid');
    });
  });

  describe('leeway', () => {
    it('accepts a token expired less than leeway ago, refuses one expired longer', () => {
      const { sj, clock } = make({ leeway: '30s' });
      const raw = String(new sj.AccessToken());
      clock.advance(300 + 29);
      expect(() => new sj.AccessToken(raw)).not.to.throw();
      clock.advance(1);
      expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
    });

    it('without leeway a token expires exactly at exp', () => {
      const { sj, clock } = make();
      const raw = String(new sj.AccessToken());
      clock.advance(299);
      expect(() => new sj.AccessToken(raw)).not.to.throw();
      clock.advance(1);
      expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
    });

    it('refuses a token issued in the future beyond the leeway (iat, as PyJWT >= 2.10)', () => {
      const { sj, clock } = make({ leeway: 30 });
      const now = Math.floor(clock.now().getTime() / 1000);
      const issuedAt = (iat: unknown) => jwt.sign(JSON.stringify({ token_type: 'access', jti: 'x', exp: now + 3600, iat }), SECRET);
      expect(() => new sj.AccessToken(issuedAt(now + 30))).not.to.throw();
      expect(() => new sj.AccessToken(issuedAt(now + 30.9))).not.to.throw(); // PyJWT compares int(iat)
      expect(() => new sj.AccessToken(issuedAt(now + 31))).to.throw(TokenError, 'Token is invalid');
      expect(() => new sj.AccessToken(issuedAt(1e300))).to.throw(TokenError, 'Token is invalid');
      expect(() => new sj.AccessToken(issuedAt('1'))).to.throw(TokenError, 'Token is invalid');
      expect(() => sj.backend.decode(issuedAt(now + 31), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      const strict = make().sj; // no leeway: one second ahead is too far
      expect(() => new strict.AccessToken(issuedAt(now + 1))).to.throw(TokenError, 'Token is invalid');
    });

    it('the backend itself reports expiry as TokenBackendExpiredToken', () => {
      const { sj, clock } = make();
      const raw = String(new sj.AccessToken());
      clock.advance(301);
      expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendExpiredToken, 'Token is expired');
      // Without verification the claims are still read.
      expect(sj.backend.decode(raw, false).token_type).to.equal('access');
    });
  });

  describe('jsonEncoder', () => {
    it('is used as the JSON.stringify replacer of the payload', () => {
      const { sj } = make({
        jsonEncoder(key, value) {
          if (value instanceof Set) return [...value].sort();
          if (typeof value === 'bigint') return value.toString();
          return key === 'secret' ? undefined : value;
        },
      });
      const token = new sj.AccessToken();
      token.set('roles', new Set(['b', 'a']));
      token.set('big', 12345678901234567890n);
      token.set('secret', 'drop me');
      const claims = jwt.decode(String(token)) as Record<string, unknown>;
      expect(claims.roles).to.deep.equal(['a', 'b']);
      expect(claims.big).to.equal('12345678901234567890');
      expect(claims).not.to.have.property('secret');
    });
  });

  it('time claims: the first and last second of years 1 to 9999 are taken, one second beyond is refused', () => {
    const { sj, clock } = make();
    const signedWith = (claims: Record<string, unknown>) =>
      jwt.sign(JSON.stringify({ token_type: 'access', jti: 'x', ...claims }), SECRET, { algorithm: 'HS256' });
    expect(sj.backend.decode(signedWith({ exp: MAX_CLAIM_TIME, nbf: MIN_CLAIM_TIME }), true, clock.now())).to.include({
      exp: MAX_CLAIM_TIME,
      nbf: MIN_CLAIM_TIME,
    });
    expect(sj.backend.decode(signedWith({ exp: MAX_CLAIM_TIME, iat: MIN_CLAIM_TIME }), false)).to.include({ iat: MIN_CLAIM_TIME });
    for (const claims of [{ exp: MAX_CLAIM_TIME + 1 }, { exp: MAX_CLAIM_TIME, nbf: MIN_CLAIM_TIME - 1 }, { exp: MAX_CLAIM_TIME, iat: MIN_CLAIM_TIME - 1 }]) {
      expect(() => sj.backend.decode(signedWith(claims), true, clock.now()), JSON.stringify(claims)).to.throw(TokenBackendError, 'Token is invalid');
    }
  });

  it('returns null-prototype payloads, so a __proto__ claim is plain data', () => {
    const { sj } = make();
    const payload = `{"token_type":"access","exp":${Math.floor(new Clock().now().getTime() / 1000) + 60},"jti":"x","__proto__":{"polluted":true}}`;
    const raw = jwt.sign(payload, SECRET, { algorithm: 'HS256' });
    const decoded = sj.backend.decode(raw, true, new Clock().now());
    expect(Object.getPrototypeOf(decoded)).to.equal(null);
    expect(Object.prototype.hasOwnProperty.call(decoded, '__proto__')).to.equal(true);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('refuses payloads that are not JSON objects', () => {
    const { sj } = make();
    for (const payload of ['[1,2]', '"a string"', '42', 'null']) {
      const raw = jwt.sign(Buffer.from(payload).toString(), SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
      expect(() => sj.backend.decode(raw), payload).to.throw(TokenBackendError, 'Token is invalid');
      expect(() => sj.backend.decode(raw, false), payload).to.throw(TokenBackendError, 'Token is invalid');
    }
  });
});
