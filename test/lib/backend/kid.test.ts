import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, TokenBackendError, type SimpleJWTOptions } from '../../../lib';
import { Clock, SECRET } from '../../helpers/fixtures';
import { headerOf, keyPair } from '../../helpers/keys';

// Issue #21 items 1, 2 and 8: a signing key's kid in the header, verifying keys chosen by kid, bad key sets.

const OLD = `${SECRET}-old`;
const NEXT = `${SECRET}-next`;
const quiet = { warn: () => undefined, error: () => undefined };

function make(options: Partial<SimpleJWTOptions>, clock = new Clock()) {
  return { sj: new SimpleJWT({ signingKey: SECRET, logger: quiet, now: clock.now, ...options } as SimpleJWTOptions), clock };
}

function claims(clock: Clock) {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { token_type: 'access', exp: iat + 300, iat, jti: 'j'.repeat(32), user_id: '1' };
}

/** A token signed with `key`, naming `kid` when given (jsonwebtoken, as another service would). */
function signed(clock: Clock, key: string, kid?: string, algorithm: jwt.Algorithm = 'HS256'): string {
  return jwt.sign(claims(clock), key, { algorithm, ...(kid === undefined ? {} : { keyid: kid }) });
}

describe('keys: kid in the header, verifying keys chosen by kid (#21)', () => {
  describe('signingKey { kid, key }', () => {
    it('today\'s forms keep the header byte for byte: {"alg":"HS256","typ":"JWT"}', () => {
      const { sj } = make({});
      const encoded = String(new sj.AccessToken()).split('.')[0];
      expect(Buffer.from(encoded, 'base64url').toString()).to.equal('{"alg":"HS256","typ":"JWT"}');
      const rs = make({ algorithm: 'RS256', signingKey: keyPair('rsa').privateKey }).sj;
      expect(Buffer.from(String(new rs.AccessToken()).split('.')[0], 'base64url').toString()).to.equal('{"alg":"RS256","typ":"JWT"}');
    });

    it("a kid goes into every minted token's header, after alg and typ", () => {
      const { sj } = make({ signingKey: { kid: '2026-12', key: SECRET } });
      for (const token of [new sj.AccessToken(), new sj.RefreshToken(), new sj.SlidingToken(), new sj.RefreshToken().accessToken]) {
        const raw = String(token);
        expect(Buffer.from(raw.split('.')[0], 'base64url').toString()).to.equal('{"alg":"HS256","typ":"JWT","kid":"2026-12"}');
      }
    });

    it('the signing key verifies its own tokens by kid, without being listed', () => {
      const { sj, clock } = make({ algorithm: 'RS256', signingKey: { kid: 'rs-1', key: keyPair('rsa').privatePem } });
      const raw = String(new sj.AccessToken());
      expect(headerOf(raw).kid).to.equal('rs-1');
      expect(sj.backend.decode(raw, true, clock.now()).user_id).to.equal(undefined);
      expect(() => sj.backend.decode(signed(clock, keyPair('rsa').privatePem, 'rs-2', 'RS256'), true, clock.now())).to.throw(
        TokenBackendError,
        'Token is invalid',
      );
    });
  });

  describe('verifyingKeys', () => {
    it('a token is verified with the key its kid names', () => {
      const { sj, clock } = make({ signingKey: { kid: 'next', key: NEXT }, verifyingKeys: [{ kid: 'old', key: OLD }] });
      expect(sj.backend.decode(signed(clock, OLD, 'old'), true, clock.now()).jti).to.equal('j'.repeat(32));
      expect(sj.backend.decode(signed(clock, NEXT, 'next'), true, clock.now()).jti).to.equal('j'.repeat(32));
    });

    it('never tries the other keys: a token of a listed key naming another kid is refused', () => {
      const { sj, clock } = make({ signingKey: { kid: 'next', key: NEXT }, verifyingKeys: [{ kid: 'old', key: OLD }] });
      expect(() => sj.backend.decode(signed(clock, OLD, 'next'), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      expect(() => sj.backend.decode(signed(clock, NEXT, 'old'), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    });

    it('an unknown kid is refused, over HTTP too: 401 token_not_valid "Token is invalid"', async () => {
      const { sj, clock } = make({ signingKey: { kid: 'next', key: NEXT }, verifyingKeys: [{ kid: 'old', key: OLD }] });
      expect(() => sj.backend.decode(signed(clock, OLD, 'older'), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      // A kid of another type than a string names no key.
      const numeric = jwt.sign(claims(clock), OLD, { header: { alg: 'HS256', kid: 7 as unknown as string } });
      expect(() => sj.backend.decode(numeric, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    });

    it('a token without kid is checked against the unnamed key only: the HS signing key given without kid', () => {
      const { sj, clock } = make({ signingKey: SECRET, verifyingKeys: [{ kid: 'old', key: OLD }] });
      expect(sj.backend.decode(signed(clock, SECRET), true, clock.now()).jti).to.have.length(32);
      expect(() => sj.backend.decode(signed(clock, OLD), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      // The unnamed key's own token naming a kid no key has: refused, not verified with the unnamed key.
      expect(() => sj.backend.decode(signed(clock, SECRET, 'unknown'), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    });

    it('a token without kid is refused when every key is named; verifyingKey is the unnamed key beside a named HS signing key', () => {
      const named = make({ signingKey: { kid: 'next', key: NEXT }, verifyingKeys: [{ kid: 'old', key: OLD }] });
      expect(() => named.sj.backend.decode(signed(named.clock, NEXT), true, named.clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      const withUnnamed = make({ signingKey: { kid: 'next', key: NEXT }, verifyingKey: OLD });
      expect(withUnnamed.sj.backend.decode(signed(withUnnamed.clock, OLD), true, withUnnamed.clock.now()).jti).to.have.length(32);
    });

    it('with one unnamed key only, a token naming a kid is refused (the kid names no key)', () => {
      const { sj, clock } = make({});
      expect(() => sj.backend.decode(signed(clock, SECRET, 'any'), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
      // Remembered first without kid: the kid-bearing token is another string, never remembered.
      expect(sj.backend.decode(signed(clock, SECRET), true, clock.now()).jti).to.have.length(32);
    });

    it('RS: verifying keys may be private keys (their public half is used) or public keys', () => {
      const a = keyPair('rsa');
      const b = keyPair('rsa-b');
      const { sj, clock } = make({ algorithm: 'RS256', signingKey: { kid: 'a', key: a.privatePem }, verifyingKeys: [{ kid: 'b', key: b.privateKey }] });
      expect(sj.backend.decode(signed(clock, b.privatePem, 'b', 'RS256'), true, clock.now()).jti).to.have.length(32);
      const pub = make({ algorithm: 'RS256', signingKey: undefined, verifyingKeys: [{ kid: 'b', key: b.publicPem }] });
      expect(pub.sj.backend.decode(signed(pub.clock, b.privatePem, 'b', 'RS256'), true, pub.clock.now()).jti).to.have.length(32);
      expect(pub.sj.backend.canSign).to.equal(false);
    });

    it("a header alg that does not fit the kid's key is refused (401, never a 5xx): the algorithm is pinned", () => {
      const rsa = keyPair('rsa');
      const { sj, clock } = make({ algorithm: 'RS256', signingKey: { kid: 'a', key: rsa.privatePem } });
      // HS256 signed with the RSA public key as a secret: the classic key confusion.
      const confused = jwt.sign(claims(clock), rsa.publicPem.replace(/-----[A-Z ]+-----|\n/g, ''), { algorithm: 'HS256', keyid: 'a' });
      expect(() => sj.backend.decode(confused, true, clock.now())).to.throw(TokenBackendError, 'Invalid algorithm specified');
      const es = jwt.sign(claims(clock), keyPair('P-256').privatePem, { algorithm: 'ES256', keyid: 'a' });
      expect(() => sj.backend.decode(es, true, clock.now())).to.throw(TokenBackendError, 'Invalid algorithm specified');
      const hs = make({ signingKey: { kid: 'h', key: SECRET } });
      const ps = jwt.sign(claims(hs.clock), rsa.privatePem, { algorithm: 'RS256', keyid: 'h' });
      expect(() => hs.sj.backend.decode(ps, true, hs.clock.now())).to.throw(TokenBackendError, 'Invalid algorithm specified');
    });
  });

  describe('bad key sets are refused, naming the entry', () => {
    const refused = (options: Partial<SimpleJWTOptions>, message: string) => expect(() => make(options)).to.throw(TypeError, `passport-simplejwt: ${message}`);

    it('duplicate kids', () => {
      refused(
        {
          verifyingKeys: [
            { kid: 'a', key: OLD },
            { kid: 'a', key: NEXT },
          ],
        },
        "'verifyingKeys[1].kid' 'a' is a duplicate of 'verifyingKeys[0].kid'",
      );
    });

    it('a kid that is not a non-empty string', () => {
      for (const kid of ['', 7, null, undefined, ['a']]) {
        refused({ verifyingKeys: [{ kid: 'a', key: OLD }, { kid, key: NEXT } as never] }, "'verifyingKeys[1].kid' must be a non-empty string");
        refused({ signingKey: { kid, key: SECRET } as never }, "'signingKey.kid' must be a non-empty string");
      }
    });

    it('entries that are not { kid, key }', () => {
      refused({ verifyingKeys: 'x' as never }, "'verifyingKeys' must be an array of { kid, key }");
      refused({ verifyingKeys: [OLD] as never }, "'verifyingKeys[0]' must be { kid, key }");
      refused({ verifyingKeys: [{ kid: 'a', key: OLD, alg: 'HS256' }] as never }, "'verifyingKeys[0]' has an unknown member 'alg'");
      refused({ verifyingKeys: [{ kid: 'a' }] as never }, "'verifyingKeys[0].key' is required");
      refused({ verifyingKeys: [{ kid: 'a', key: 5 }] as never }, "'verifyingKeys[0].key' must be a string, a Buffer or a crypto.KeyObject");
    });

    it('HS verifying keys are held to the 32-byte minimum and to the key-shape refusals, each', () => {
      refused(
        {
          verifyingKeys: [
            { kid: 'a', key: OLD },
            { kid: 'b', key: 'short' },
          ],
        },
        "'verifyingKeys[1].key' is 5 bytes: an HS256 secret must be at least 32 bytes",
      );
      refused(
        { verifyingKeys: [{ kid: 'a', key: keyPair('rsa').publicPem }] },
        "'verifyingKeys[0].key' is a PEM key or certificate, but HS256 takes a shared secret",
      );
      refused({ signingKey: { kid: 'a', key: 'short' } }, "'signingKey.key' is 5 bytes");
      refused({ signingKey: { kid: 'a', key: SECRET }, verifyingKey: 'short' }, "'verifyingKey' is 5 bytes");
    });

    it('a secret in verifyingKeys of an RS algorithm', () => {
      const rs = { algorithm: 'RS256' as const, signingKey: keyPair('rsa').privatePem };
      refused({ ...rs, verifyingKeys: [{ kid: 'a', key: Buffer.from(OLD) }] }, "'verifyingKeys[0].key' is not a valid public key for RS256");
      refused(
        {
          ...rs,
          verifyingKeys: [
            { kid: 'a', key: keyPair('rsa').publicKey },
            { kid: 'b', key: createSecretKey(Buffer.from(OLD)) },
          ],
        },
        "'verifyingKeys[1].key' is a secret, but RS256 verifies with a public key",
      );
      refused(
        { ...rs, verifyingKeys: [{ kid: 'a', key: keyPair('P-256').publicPem }] },
        "'verifyingKeys[0].key' is an EC key on prime256v1, which cannot be used with RS256",
      );
    });

    it("the signing key's kid listed with another key", () => {
      refused(
        { signingKey: { kid: 'a', key: SECRET }, verifyingKeys: [{ kid: 'a', key: OLD }] },
        "'verifyingKeys[0].kid' 'a' is the kid of 'signingKey', but the key is another one",
      );
      // The same key listed again is fine.
      expect(() => make({ signingKey: { kid: 'a', key: SECRET }, verifyingKeys: [{ kid: 'a', key: SECRET }] })).not.to.throw();
    });

    it('RS: the signing key listed again under its kid, as the same private KeyObject or its public half, is fine', () => {
      const a = keyPair('rsa');
      for (const key of [a.privateKey, a.publicKey, a.publicPem]) {
        const { sj, clock } = make({ algorithm: 'RS256', signingKey: { kid: 'a', key: a.privateKey }, verifyingKeys: [{ kid: 'a', key }] });
        expect(sj.backend.decode(signed(clock, a.privatePem, 'a', 'RS256'), true, clock.now()).jti).to.have.length(32);
      }
      refused(
        { algorithm: 'RS256', signingKey: { kid: 'a', key: a.privateKey }, verifyingKeys: [{ kid: 'a', key: keyPair('rsa-b').privateKey }] },
        "'verifyingKeys[0].kid' 'a' is the kid of 'signingKey', but the key is another one",
      );
    });

    it('a null entry is not { kid, key }', () => {
      refused({ verifyingKeys: [{ kid: 'a', key: OLD }, null] as never }, "'verifyingKeys[1]' must be { kid, key }");
    });

    it('verifyingKeys null or empty is no key set: allowed, also with jwkUrl', () => {
      expect(() => make({ verifyingKeys: null as never })).not.to.throw();
      expect(() => make({ verifyingKeys: [] })).not.to.throw();
      expect(() => make({ algorithm: 'RS256', signingKey: undefined, jwkUrl: 'https://keys.example/jwks.json', verifyingKeys: [] })).not.to.throw();
      expect(() => make({ algorithm: 'RS256', signingKey: undefined, jwkUrl: 'https://keys.example/jwks.json', verifyingKeys: null as never })).not.to.throw();
    });

    it('verifyingKeys with jwkUrl', () => {
      refused(
        { algorithm: 'RS256', jwkUrl: 'https://keys.example/jwks.json', verifyingKeys: [{ kid: 'a', key: keyPair('rsa').publicPem }] },
        "'verifyingKeys' cannot be used with 'jwkUrl'",
      );
    });
  });
});
