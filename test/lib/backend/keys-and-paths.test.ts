import { expect } from 'chai';
import { SimpleJWT, TokenBackendError, TokenBackendExpiredToken } from '../../../lib';
import { TokenBackend } from '../../../lib/extend';
import { Clock, SECRET } from '../../helpers/fixtures';
import { keyPair } from '../../helpers/keys';

// Mutants of lib/backend/index.ts (then lib/backend.ts) that survived the backend's own tests (test/MUTATION.md):
// key checks at construction, and the backend's answers on its remembered-token path.

describe('TokenBackend: key checks and the remembered-token path', () => {
  describe('keys', () => {
    it('PS256 refuses an EC key', () => {
      expect(() => new SimpleJWT({ algorithm: 'PS256', signingKey: keyPair('P-256').privatePem })).to.throw(
        TypeError,
        "passport-simplejwt: 'signingKey' is an EC key on prime256v1, which cannot be used with PS256",
      );
    });

    it('a null or empty-Buffer signingKey is a missing one', () => {
      for (const signingKey of [null, Buffer.alloc(0)]) {
        expect(() => new SimpleJWT({ signingKey: signingKey as never })).to.throw(TypeError, "passport-simplejwt: 'signingKey' is required for HS256");
      }
    });

    it('a public KeyObject given as signingKey is refused', () => {
      expect(() => new SimpleJWT({ algorithm: 'RS256', signingKey: keyPair('rsa').publicKey })).to.throw(
        TypeError,
        "passport-simplejwt: 'signingKey' must be a private key for RS256",
      );
    });
  });

  it('a TokenBackend made alone (lib/extend) without a clock reads the system clock', () => {
    const warnings: string[] = [];
    const { settings } = new SimpleJWT({ signingKey: SECRET });
    const backend = new TokenBackend(settings, { signingKey: SECRET }, { logger: { warn: (m: string) => warnings.push(m), error: () => undefined } });
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(backend.decode(backend.encode({ token_type: 'access', exp, jti: 'x' })).exp).to.equal(exp);
    // A token of another key: refused, and the failure reported (the warning reads the clock).
    const other = new TokenBackend(settings, { signingKey: `${SECRET}-other` }, { logger: { warn: () => undefined, error: () => undefined } });
    expect(() => backend.decode(other.encode({ token_type: 'access', exp, jti: 'x' }))).to.throw(TokenBackendError, 'Token is invalid');
    expect(warnings).to.have.length(1);
  });

  describe('decode()', () => {
    function make() {
      const clock = new Clock();
      return { sj: new SimpleJWT({ signingKey: SECRET, now: clock.now }), clock };
    }

    it('verifies by default: a token of another key is refused', () => {
      const { sj } = make();
      const other = new SimpleJWT({ signingKey: `${SECRET}-other` });
      expect(() => sj.backend.decode(String(new other.AccessToken()))).to.throw(TokenBackendError, 'Token is invalid');
    });

    it('a remembered token past exp: TokenBackendExpiredToken "Token is expired"', () => {
      const { sj, clock } = make();
      const raw = String(new sj.AccessToken());
      sj.backend.decode(raw, true, clock.now());
      sj.backend.decode(raw, true, clock.now()); // remembered at its second verification (#25)
      clock.advance(300);
      expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendExpiredToken, 'Token is expired');
    });

    it('a remembered token before nbf (a clock stepped back): TokenBackendError "Token is invalid"', () => {
      const { sj, clock } = make();
      const token = new sj.AccessToken();
      token.set('nbf', token.get('iat'));
      const raw = String(token);
      sj.backend.decode(raw, true, clock.now());
      sj.backend.decode(raw, true, clock.now()); // remembered at its second verification (#25)
      clock.advance(-1);
      expect(() => sj.backend.decode(raw, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    });
  });
});
