import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimpleJWT, TokenBackendError, type Algorithm } from '../../../lib';
import { Clock, SECRET } from '../../helpers/fixtures';
import { keyPair, type TestKeyPair } from '../../helpers/keys';

function roundTrip(sj: SimpleJWT): void {
  const token = new sj.AccessToken();
  token.set('user_id', '42');
  const raw = String(token);
  const header = jwt.decode(raw, { complete: true })!.header;
  expect(header).to.deep.equal({ alg: sj.settings.algorithm, typ: 'JWT' });
  const back = new sj.AccessToken(raw);
  expect(back.get('user_id')).to.equal('42');
  expect(back.get('jti')).to.equal(token.get('jti'));
}

describe('TokenBackend: algorithms', () => {
  for (const algorithm of ['HS256', 'HS384', 'HS512'] as Algorithm[]) {
    it(`signs and verifies ${algorithm}`, () => {
      roundTrip(new SimpleJWT({ algorithm, signingKey: SECRET, now: new Clock().now }));
    });
  }

  const asymmetric: Array<[Algorithm, Parameters<typeof keyPair>[0]]> = [
    ['RS256', 'rsa'],
    ['RS384', 'rsa'],
    ['RS512', 'rsa'],
    ['PS256', 'rsa'],
    ['PS384', 'rsa'],
    ['PS512', 'rsa'],
    ['ES256', 'P-256'],
    ['ES384', 'P-384'],
    ['ES512', 'P-521'],
  ];
  for (const [algorithm, kind] of asymmetric) {
    it(`signs and verifies ${algorithm} (PEM strings)`, () => {
      const keys = keyPair(kind);
      roundTrip(new SimpleJWT({ algorithm, signingKey: keys.privatePem, verifyingKey: keys.publicPem, now: new Clock().now }));
    });
  }

  it('derives the verifying key from the private key when verifyingKey is not given', () => {
    roundTrip(new SimpleJWT({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem, now: new Clock().now }));
  });

  it('accepts crypto.KeyObjects and Buffers', () => {
    const keys = keyPair('P-256');
    roundTrip(new SimpleJWT({ algorithm: 'ES256', signingKey: keys.privateKey, verifyingKey: keys.publicKey, now: new Clock().now }));
    roundTrip(new SimpleJWT({ algorithm: 'HS256', signingKey: Buffer.from(SECRET), now: new Clock().now }));
  });

  it('accepts a private KeyObject given as verifyingKey (verifies with its public half)', () => {
    const keys = keyPair('rsa');
    roundTrip(new SimpleJWT({ algorithm: 'RS256', signingKey: keys.privatePem, verifyingKey: keys.privateKey, now: new Clock().now }));
  });

  it('verifies with only a verifyingKey, and refuses to sign with a clear error', () => {
    const keys = keyPair('rsa');
    const clock = new Clock();
    const signer = new SimpleJWT({ algorithm: 'RS256', signingKey: keys.privatePem, now: clock.now });
    const verifier = new SimpleJWT({ algorithm: 'RS256', verifyingKey: keys.publicPem, now: clock.now });
    const raw = String(new signer.AccessToken());
    expect(new verifier.AccessToken(raw).get('token_type')).to.equal('access');
    expect(() => String(new verifier.AccessToken())).to.throw(
      TypeError,
      "passport-simplejwt: cannot sign tokens: 'signingKey' (a private key for RS256) is not configured",
    );
  });

  describe('key checks at construction', () => {
    const cases: Array<[string, Algorithm, () => Partial<TestKeyPair> & { signingKey?: unknown; verifyingKey?: unknown }, string]> = [
      ['a public key as signingKey', 'RS256', () => ({ signingKey: keyPair('rsa').publicPem }), "'signingKey' is not a valid private key for RS256"],
      ['garbage as signingKey', 'ES256', () => ({ signingKey: 'not a pem' }), "'signingKey' is not a valid private key for ES256"],
      ['garbage as verifyingKey', 'RS256', () => ({ verifyingKey: 'not a pem' }), "'verifyingKey' is not a valid public key for RS256"],
      [
        'an EC key for RS256',
        'RS256',
        () => ({ signingKey: keyPair('P-256').privatePem }),
        "'signingKey' is an EC key on prime256v1, which cannot be used with RS256",
      ],
      ['an RSA key for ES256', 'ES256', () => ({ signingKey: keyPair('rsa').privatePem }), "'signingKey' is a rsa key, which cannot be used with ES256"],
      [
        'the wrong curve for ES384',
        'ES384',
        () => ({ verifyingKey: keyPair('P-256').publicPem }),
        "'verifyingKey' is an EC key on prime256v1, which cannot be used with ES384",
      ],
      [
        'a private key object for HS256',
        'HS256',
        () => ({ signingKey: keyPair('rsa').privateKey }),
        "'signingKey' must be a secret for HS256, not a private key",
      ],
    ];
    for (const [what, algorithm, keys, message] of cases) {
      it(`refuses ${what}`, () => {
        expect(() => new SimpleJWT({ algorithm, ...keys() } as never)).to.throw(TypeError, `passport-simplejwt: ${message}`);
      });
    }
  });

  it('reports a decode failure as TokenBackendError, never a raw library error', () => {
    const sj = new SimpleJWT({ signingKey: SECRET });
    for (const garbage of ['', 'a', 'a.b', 'a.b.c', '....', '\u0000.\u0000.\u0000']) {
      expect(() => sj.backend.decode(garbage), JSON.stringify(garbage)).to.throw(TokenBackendError);
      expect(() => sj.backend.decode(garbage, false), JSON.stringify(garbage)).to.throw(TokenBackendError);
    }
  });
});
