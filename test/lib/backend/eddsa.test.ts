import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, verify } from 'node:crypto';
import { expect } from 'chai';
import { SimpleJWT, TokenBackendError, TokenBackendExpiredToken, type SimpleJWTOptions } from '../../../lib';
import { signer } from '../../../lib/backend/jws';
import { Clock } from '../../helpers/fixtures';
import { ed25519Pair, keyPair } from '../../helpers/keys';

const signEdDSA = signer('EdDSA');

// Issue #21 item 5: EdDSA (Ed25519) signs and verifies with node:crypto, with every check of the other algorithms.

const quiet = { warn: () => undefined, error: () => undefined };

function make(options: Partial<SimpleJWTOptions> = {}, clock = new Clock()) {
  const sj = new SimpleJWT({ algorithm: 'EdDSA', signingKey: ed25519Pair().privatePem, logger: quiet, now: clock.now, ...options } as SimpleJWTOptions);
  return { sj, clock };
}

function claims(clock: Clock, extra: Record<string, unknown> = {}) {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { token_type: 'access', exp: iat + 300, iat, jti: 'e'.repeat(32), user_id: '1', ...extra };
}

/** An EdDSA token with any header and claims, signed with the test key. */
function token(payload: object, header: object = { alg: 'EdDSA', typ: 'JWT' }, key = ed25519Pair().privateKey): string {
  return signEdDSA(Buffer.from(JSON.stringify(header)).toString('base64url'), JSON.stringify(payload), key);
}

describe("algorithm: 'EdDSA' (Ed25519, #21)", () => {
  it('signs with the header {"alg":"EdDSA","typ":"JWT"} (and kid), a signature node:crypto verifies on its own', () => {
    const { sj, clock } = make();
    const raw = String(new sj.AccessToken());
    const [header, payload, signature] = raw.split('.');
    expect(Buffer.from(header, 'base64url').toString()).to.equal('{"alg":"EdDSA","typ":"JWT"}');
    expect(verify(null, Buffer.from(`${header}.${payload}`), ed25519Pair().publicKey, Buffer.from(signature, 'base64url'))).to.equal(true);
    expect(sj.backend.decode(raw, true, clock.now()).token_type).to.equal('access');
    const named = make({ signingKey: { kid: 'ed-1', key: ed25519Pair().privateKey } }).sj;
    expect(Buffer.from(String(new named.AccessToken()).split('.')[0], 'base64url').toString()).to.equal('{"alg":"EdDSA","typ":"JWT","kid":"ed-1"}');
  });

  it('verifies with a public key only (a verify-only instance)', () => {
    const { clock } = make();
    const verifier = new SimpleJWT({ algorithm: 'EdDSA', verifyingKey: ed25519Pair().publicPem, now: clock.now, logger: quiet });
    expect(verifier.backend.decode(token(claims(clock)), true, clock.now()).jti).to.equal('e'.repeat(32));
  });

  it('refuses another key, a changed payload, and a signature spelled another way', () => {
    const { sj, clock } = make();
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(() => sj.backend.decode(token(claims(clock), undefined, other), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    const [h, , s] = token(claims(clock)).split('.');
    const changed = `${h}.${Buffer.from(JSON.stringify(claims(clock, { user_id: '2' }))).toString('base64url')}.${s}`;
    expect(() => sj.backend.decode(changed, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    // 64 bytes are 86 characters whose last one carries 4 unused bits: set one of them.
    const raw = token(claims(clock));
    const last = raw[raw.length - 1];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = raw.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
    expect(respelled).not.to.equal(raw);
    expect(() => sj.backend.decode(respelled, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(() => sj.backend.decode(`${raw}=`, true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
  });

  it('pins the algorithm: a header naming none or another algorithm is "Invalid algorithm specified"', () => {
    const { sj, clock } = make();
    for (const alg of ['none', 'HS256', 'RS256', 'ES256', 'Ed25519', 'eddsa']) {
      expect(() => sj.backend.decode(token(claims(clock), { alg, typ: 'JWT' }), true, clock.now()), alg).to.throw(
        TokenBackendError,
        'Invalid algorithm specified',
      );
    }
    expect(() => sj.backend.decode(token(claims(clock), { typ: 'JWT' }), true, clock.now())).to.throw(TokenBackendError, 'Invalid algorithm specified');
  });

  it('exp, nbf and iat with the leeway, as the other algorithms', () => {
    const { sj, clock } = make({ leeway: 10 });
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(() => sj.backend.decode(token(claims(clock, { exp: now - 10 })), true, clock.now())).to.throw(TokenBackendExpiredToken, 'Token is expired');
    expect(sj.backend.decode(token(claims(clock, { exp: now - 9 })), true, clock.now()).exp).to.equal(now - 9);
    expect(() => sj.backend.decode(token(claims(clock, { nbf: now + 11 })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(sj.backend.decode(token(claims(clock, { nbf: now + 10 })), true, clock.now()).nbf).to.equal(now + 10);
    expect(() => sj.backend.decode(token(claims(clock, { iat: now + 11 })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    for (const exp of ['1', null, {}]) {
      expect(() => sj.backend.decode(token(claims(clock, { exp })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    }
    expect(() => sj.backend.decode(token(claims(clock, { nbf: 'soon' })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
  });

  it('issuer and audience are required when set', () => {
    const { sj, clock } = make({ issuer: 'https://issuer.example', audience: ['api', 'admin'] });
    const ok = sj.backend.decode(String(new sj.AccessToken()), true, clock.now());
    expect(ok.iss).to.equal('https://issuer.example');
    const good = { iss: 'https://issuer.example', aud: 'admin' };
    expect(sj.backend.decode(token(claims(clock, good)), true, clock.now()).aud).to.equal('admin');
    expect(sj.backend.decode(token(claims(clock, { ...good, aud: ['x', 'api'] })), true, clock.now()).aud).to.deep.equal(['x', 'api']);
    for (const bad of [
      { aud: 'admin' },
      { ...good, iss: 'https://other.example' },
      { ...good, iss: ['https://issuer.example'] },
      { ...good, aud: 'x' },
      { iss: good.iss },
    ]) {
      expect(() => sj.backend.decode(token(claims(clock, bad)), true, clock.now()), JSON.stringify(bad)).to.throw(TokenBackendError, 'Token is invalid');
    }
  });

  it('hostile shapes: a crit header, times a Date cannot hold, a payload that is not an object', () => {
    const { sj, clock } = make();
    expect(() => sj.backend.decode(token(claims(clock), { alg: 'EdDSA', crit: ['exp'] }), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(() => sj.backend.decode(token(claims(clock, { exp: 1e300 })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(() => sj.backend.decode(token(claims(clock, { family_exp: -1e20 })), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(() => sj.backend.decode(token(['a']), true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
    expect(() => sj.backend.decode('a.b.c', true, clock.now())).to.throw(TokenBackendError, 'Token is invalid');
  });

  it('keys: an Ed448, RSA or EC key is refused for EdDSA, and an Ed25519 key for RS256', () => {
    const ed448 = generateKeyPairSync('ed448').privateKey;
    expect(() => make({ signingKey: ed448 })).to.throw(TypeError, "passport-simplejwt: 'signingKey' is a ed448 key, which cannot be used with EdDSA");
    expect(() => make({ signingKey: keyPair('rsa').privatePem })).to.throw(TypeError, "'signingKey' is a rsa key, which cannot be used with EdDSA");
    expect(() => make({ verifyingKeys: [{ kid: 'e', key: keyPair('P-256').publicPem }] })).to.throw(
      TypeError,
      "'verifyingKeys[0].key' is an EC key on prime256v1",
    );
    expect(() => make({ algorithm: 'RS256' })).to.throw(TypeError, "'signingKey' is a ed25519 key, which cannot be used with RS256");
  });

  it("jwkUrl: a key set of Ed25519 (OKP) keys is understood; X25519 and other algorithms' keys are not used", async () => {
    const pair = ed25519Pair();
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    const keys = [
      { ...x25519, kid: 'x' },
      { ...keyPair('rsa').publicKey.export({ format: 'jwk' }), kid: 'r', alg: 'RS256' },
      { ...pair.publicKey.export({ format: 'jwk' }), kid: 'ed', alg: 'EdDSA', use: 'sig' },
    ];
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const clock = new Clock();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const sj = new SimpleJWT({ algorithm: 'EdDSA', jwkUrl: url, now: clock.now, logger: quiet });
      const raw = token(claims(clock), { alg: 'EdDSA', typ: 'JWT', kid: 'ed' });
      await sj.prepareKey(raw);
      expect(sj.backend.decode(raw, true, clock.now()).jti).to.equal('e'.repeat(32));
      for (const kid of ['x', 'r']) {
        expect(() => sj.backend.decode(token(claims(clock), { alg: 'EdDSA', kid }), true, clock.now()), kid).to.throw(TokenBackendError, 'Token is invalid');
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
