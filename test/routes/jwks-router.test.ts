import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { jwksRouter, SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { SECRET } from '../helpers/fixtures';
import { ed25519Pair, keyPair } from '../helpers/keys';

// Issue #21 item 4: jwksRouter publishes the public halves of the keys, never a private member.

const quiet = { warn: () => undefined, error: () => undefined };
/** Every private member a JWK can have (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function serve(options: Partial<SimpleJWTOptions>, routerOptions?: Parameters<typeof jwksRouter>[1]) {
  const sj = new SimpleJWT({ logger: quiet, ...options } as SimpleJWTOptions);
  const app = express().use(jwksRouter(sj, routerOptions));
  return { sj, app };
}

describe('jwksRouter (#21)', () => {
  for (const [algorithm, signing, listed, fields] of [
    ['RS256', keyPair('rsa'), keyPair('rsa-b'), ['n', 'e']],
    ['ES256', keyPair('P-256'), { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }, ['crv', 'x', 'y']],
    ['EdDSA', ed25519Pair('a'), ed25519Pair('b'), ['crv', 'x']],
  ] as const) {
    it(`${algorithm}: keys given as private keys are published as their public halves only`, async () => {
      const { app } = serve({ algorithm, signingKey: { kid: 'now', key: signing.privateKey }, verifyingKeys: [{ kid: 'before', key: listed.privateKey }] });
      const res = await request(app).get('/.well-known/jwks.json');
      expect(res.status).to.equal(200);
      expect(res.headers['cache-control']).to.equal('public, max-age=300');
      expect(res.headers['content-type']).to.match(/^application\/json/);
      const keys = res.body.keys as Array<Record<string, unknown>>;
      expect(keys.map((k) => k.kid)).to.deep.equal(['now', 'before']);
      for (const jwk of keys) {
        expect(Object.keys(jwk).sort()).to.deep.equal(['kty', 'kid', 'alg', 'use', ...fields].sort());
        expect(jwk).to.include({ alg: algorithm, use: 'sig', kty: algorithm === 'RS256' ? 'RSA' : algorithm === 'ES256' ? 'EC' : 'OKP' });
        for (const member of PRIVATE_MEMBERS) expect(jwk, member).not.to.have.property(member);
      }
      // What is published is exactly the public key: it matches the key's own public export.
      const expected = signing.privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
      for (const field of fields) expect(keys[0][field]).to.equal(expected[field]);
      expect(res.text).not.to.contain(String(expected.d));
    });
  }

  it('an unnamed key is published without kid; setKeys() changes the set at once', async () => {
    const { sj, app } = serve({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem });
    const before = await request(app).get('/.well-known/jwks.json');
    expect(before.body.keys).to.have.length(1);
    expect(before.body.keys[0]).not.to.have.property('kid');
    // Through the API too: no kid member at all (not one that is undefined).
    expect(Object.keys(sj.backend.publicKeySet().keys[0])).not.to.include('kid');
    sj.setKeys({ signingKey: keyPair('rsa').privatePem, verifyingKeys: [{ kid: 'next', key: keyPair('rsa-b').publicPem }] });
    const after = await request(app).get('/.well-known/jwks.json');
    expect(after.body.keys.map((k: { kid?: string }) => k.kid)).to.deep.equal([undefined, 'next']);
  });

  it('path and maxAge options', async () => {
    const { app } = serve({ algorithm: 'EdDSA', signingKey: { kid: 'e', key: ed25519Pair().privatePem } }, { path: '/keys', maxAge: 60 });
    const res = await request(app).get('/keys');
    expect(res.status).to.equal(200);
    expect(res.headers['cache-control']).to.equal('public, max-age=60');
    expect((await request(app).get('/.well-known/jwks.json')).status).to.equal(404);
  });

  it('HS*: a TypeError when the router is built, as for bad options', () => {
    for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
      const sj = new SimpleJWT({ algorithm, signingKey: SECRET, logger: quiet });
      expect(() => jwksRouter(sj)).to.throw(TypeError, `passport-simplejwt: ${algorithm} keys are shared secrets: there is no public key to publish`);
    }
    const rs = new SimpleJWT({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem, logger: quiet });
    expect(() => jwksRouter(rs, { maxAge: -1 })).to.throw(TypeError, "jwksRouter's 'maxAge' must be a whole number of seconds");
    expect(() => jwksRouter(rs, { path: 'jwks.json' })).to.throw(TypeError, "jwksRouter's 'path' must be a string starting with '/'");
  });
});
