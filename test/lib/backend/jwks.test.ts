import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWTStatelessStrategy, ServiceUnavailable, SimpleJWT, TokenBackendError, TokenError, type Algorithm } from '../../../lib';
import { JWKS_CACHE_MAX_AGE, JWKS_COOLDOWN } from '../../../lib/backend/jwks';
import { Clock } from '../../helpers/fixtures';
import { appWith } from '../../helpers/http';
import { keyPair, type TestKeyPair } from '../../helpers/keys';

/** A real key server on 127.0.0.1 whose key set the test changes, counting requests. */
class KeyServer {
  keys: Array<{ kid: string; pair: TestKeyPair; alg: string }> = [];
  /** When set, served as it is (the body and status), instead of `keys`. */
  raw: { status: number; body: unknown } | null = null;
  requests = 0;
  /** The Accept header of the last request. */
  accept: string | undefined;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests += 1;
      this.accept = req.headers.accept;
      if (this.raw) return void res.writeHead(this.raw.status, { 'content-type': 'application/json' }).end(JSON.stringify(this.raw.body));
      const keys = this.keys.map(({ kid, pair, alg }) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function claims(clock: Clock, extra: Record<string, unknown> = {}) {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return { token_type: 'access', exp: iat + 300, iat, jti: 'k'.repeat(32), user_id: '1', ...extra };
}

function sign(clock: Clock, pair: TestKeyPair, kid: string | undefined, algorithm: Algorithm = 'RS256'): string {
  return jwt.sign(claims(clock), pair.privatePem, { algorithm: algorithm as jwt.Algorithm, ...(kid === undefined ? {} : { keyid: kid }) });
}

describe('jwkUrl (remote JWKS)', () => {
  let server: KeyServer;
  beforeEach(async () => {
    server = await new KeyServer().start();
    server.keys = [{ kid: 'k1', pair: keyPair('rsa'), alg: 'RS256' }];
  });
  afterEach(async () => {
    await server.stop();
  });

  function make(algorithm: Algorithm = 'RS256') {
    const clock = new Clock();
    return { sj: new SimpleJWT({ algorithm, jwkUrl: server.url, now: clock.now }), clock };
  }

  it('RS256 with jwkUrl and no keys is a valid verify-only setup; signing throws a clear error', () => {
    const { sj } = make();
    expect(() => String(new sj.AccessToken())).to.throw(TypeError, "cannot sign tokens: 'signingKey' (a private key for RS256) is not configured");
  });

  it('the strategy fetches the key set once and accepts tokens of a known kid', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`);
      expect(res.status).to.equal(200);
      expect(res.body.user).to.deep.equal({ id: '1', username: '', isStaff: false, isSuperuser: false });
    }
    expect(server.requests).to.equal(1);
    // It asks for JSON: a key server that negotiates the type answers the key set.
    expect(server.accept).to.equal('application/json');
  });

  it('an unknown kid: 401 token_not_valid, and no refetch within the cooldown', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'unknown')}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid' }],
      });
    }
    expect(server.requests).to.equal(1);
    clock.advance(JWKS_COOLDOWN - 1);
    await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'unknown')}`);
    expect(server.requests, 'a second before the cooldown is over').to.equal(1);
    clock.advance(1);
    await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'unknown')}`);
    expect(server.requests).to.equal(2);
  });

  it('a token signed with another key under a known kid: 401', async () => {
    const { sj, clock } = make();
    const res = await request(appWith(new JWTStatelessStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${sign(clock, keyPair('rsa-b'), 'k1')}`);
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('token_not_valid');
  });

  it('the key server down: 503 service_unavailable (fail closed), for passport.authenticate and jwtAuth', async () => {
    const { sj, clock } = make();
    await server.stop();
    for (const mode of ['authenticate', 'jwtAuth'] as const) {
      const res = await request(appWith(new JWTStatelessStrategy(sj), mode))
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`);
      expect(res.status, mode).to.equal(503);
      expect(res.body, mode).to.deep.equal({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });
    }
    server = await new KeyServer().start(); // for afterEach
  });

  it('a rotated key set: after the cache max age the new kid is accepted and the removed one refused', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`)
      ).status,
    ).to.equal(200);
    server.keys = [{ kid: 'k2', pair: keyPair('rsa-b'), alg: 'RS256' }];
    clock.advance(JWKS_CACHE_MAX_AGE);
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa-b'), 'k2')}`)
      ).status,
    ).to.equal(200);
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`)
      ).status,
    ).to.equal(401);
  });

  it('a token verified with a key of the set is checked again once its kid names another key: no verified-token memory for JWKS', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    const iat = Math.floor(clock.now().getTime() / 1000);
    // One and the same token string, alive for longer than the key set's cache.
    const raw = jwt.sign({ ...claims(clock), exp: iat + 3 * JWKS_CACHE_MAX_AGE }, keyPair('rsa').privatePem, { algorithm: 'RS256', keyid: 'k1' });
    expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).status).to.equal(200);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).status).to.equal(200);
    server.keys = [{ kid: 'k1', pair: keyPair('rsa-b'), alg: 'RS256' }]; // the kid now names another key
    clock.advance(JWKS_CACHE_MAX_AGE);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).status).to.equal(401);
  });

  it('a token without kid is verified when the set has exactly one key', async () => {
    const { sj, clock } = make();
    const res = await request(appWith(new JWTStatelessStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), undefined)}`);
    expect(res.status).to.equal(200);
  });

  it('a token without kid is refused when the set has several keys, whichever of them signed it', async () => {
    server.keys = [
      { kid: 'k1', pair: keyPair('rsa'), alg: 'RS256' },
      { kid: 'k2', pair: keyPair('rsa-b'), alg: 'RS256' },
    ];
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    for (const pair of [keyPair('rsa'), keyPair('rsa-b')]) {
      const res = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, pair, undefined)}`);
      expect(res.status).to.equal(401);
      expect(res.body.code).to.equal('token_not_valid');
    }
    // The same keys under their kid are accepted: only the missing kid is refused.
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa-b'), 'k2')}`)
      ).status,
    ).to.equal(200);
    // And through the API: the key stays unresolved, so verify() refuses it.
    const raw = sign(clock, keyPair('rsa'), undefined);
    await sj.prepareKey(raw);
    const err = await new sj.AccessToken(raw).verify().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TokenError);
    expect((err as Error).message).to.equal('Token is invalid');
  });

  it('a kid that is not a string names no key, even in a set of one key', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`)
      ).status,
    ).to.equal(200);
    for (const kid of [7, null, ['k1'], { kid: 'k1' }]) {
      const raw = jwt.sign(claims(clock), keyPair('rsa').privatePem, { algorithm: 'RS256', header: { alg: 'RS256', kid } as unknown as jwt.JwtHeader });
      const res = await request(app).get('/me').set('Authorization', `Bearer ${raw}`);
      expect(res.status, JSON.stringify(kid)).to.equal(401);
      expect(res.body.code).to.equal('token_not_valid');
    }
  });

  it('once the key set is cached, a token that is no JWS at all is 401 token_not_valid, never a 500', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    expect(
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`)
      ).status,
    ).to.equal(200);
    for (const raw of ['garbage', 'a.b', 'e30.e30', '!!.e30.sig']) {
      const res = await request(app).get('/me').set('Authorization', `Bearer ${raw}`);
      expect(res.status, raw).to.equal(401);
      expect(res.body.code, raw).to.equal('token_not_valid');
      expect(() => sj.backend.decode(raw, true, clock.now()), raw).to.throw(TokenBackendError, 'Token is invalid');
    }
    expect(server.requests).to.equal(1);
  });

  it('ES256 keys from the set work too', async () => {
    server.keys = [{ kid: 'ec1', pair: keyPair('P-256'), alg: 'ES256' }];
    const { sj, clock } = make('ES256');
    const res = await request(appWith(new JWTStatelessStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${sign(clock, keyPair('P-256'), 'ec1', 'ES256')}`);
    expect(res.status).to.equal(200);
  });

  it('only signing keys for the pinned algorithm are used: use "enc", another alg, an X25519 or EC key for RS256, and entries that are no keys are skipped', async () => {
    const jwk = (pair: TestKeyPair) => pair.publicKey.export({ format: 'jwk' });
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
    server.raw = {
      status: 200,
      body: {
        keys: [
          null,
          'k-string',
          { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'oct' },
          { ...jwk(keyPair('rsa')), kid: 'enc', use: 'enc' },
          { ...jwk(keyPair('rsa')), kid: 'rs512', alg: 'RS512' },
          { ...x25519, kid: 'x25519' },
          { ...jwk(keyPair('P-256')), kid: 'ec' },
          { kty: 'RSA', n: 'not-a-modulus', e: 'AQAB', kid: 'broken' },
          // Keys Node cannot import (no modulus, a point off the curve): skipped, not a failed set.
          { kty: 'RSA', e: 'AQAB', kid: 'no-modulus' },
          { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'off-curve' },
          { ...jwk(keyPair('rsa-b')), kid: 'good', alg: 'RS256', use: 'sig' },
          { ...jwk(keyPair('rsa')), kid: 'no-use-no-alg' },
        ],
      },
    };
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    const status = async (pair: TestKeyPair, kid: string, algorithm: Algorithm = 'RS256') =>
      (
        await request(app)
          .get('/me')
          .set('Authorization', `Bearer ${sign(clock, pair, kid, algorithm)}`)
      ).status;
    expect(await status(keyPair('rsa-b'), 'good')).to.equal(200);
    expect(await status(keyPair('rsa'), 'no-use-no-alg')).to.equal(200);
    expect(await status(keyPair('rsa'), 'enc')).to.equal(401);
    expect(await status(keyPair('rsa'), 'rs512')).to.equal(401);
    expect(await status(keyPair('P-256'), 'ec', 'ES256')).to.equal(401);
    expect(await status(keyPair('rsa'), 'ec')).to.equal(401);
    expect(server.requests).to.equal(1);
  });

  it('a key set with no usable key, a body that is no key set, or an HTTP error: 503, and the next request asks again after the cooldown', async () => {
    const good = { keys: [{ ...keyPair('rsa').publicKey.export({ format: 'jwk' }), kid: 'k1' }] };
    for (const [status, body] of [
      [200, { keys: [{ ...keyPair('rsa').publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'enc' }] }],
      [200, { keys: [{ ...keyPair('P-256').publicKey.export({ format: 'jwk' }), kid: 'k1' }] }],
      [200, { keys: 'none' }],
      [200, {}],
      [200, null],
      [500, good],
      [404, good],
    ] as const) {
      server.raw = { status, body };
      const { sj, clock } = make();
      const res = await request(appWith(new JWTStatelessStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`);
      expect(res.status, JSON.stringify([status, body])).to.equal(503);
      expect(res.body.code).to.equal('service_unavailable');
    }
  });

  it('the key set is trusted for JWKS_CACHE_MAX_AGE: a known kid is not fetched again before, and is after', async () => {
    const { sj, clock } = make();
    const app = appWith(new JWTStatelessStrategy(sj), 'jwtAuth');
    const get = () =>
      request(app)
        .get('/me')
        .set('Authorization', `Bearer ${sign(clock, keyPair('rsa'), 'k1')}`);
    expect((await get()).status).to.equal(200);
    clock.advance(JWKS_CACHE_MAX_AGE - 1);
    expect((await get()).status).to.equal(200);
    expect(server.requests).to.equal(1);
    clock.advance(1);
    expect((await get()).status).to.equal(200);
    expect(server.requests).to.equal(2);
  });

  describe('without the strategy: the constructor and await token.verify()', () => {
    it('a cold cache: the constructor checks the claims, verify() fetches the key and checks the signature', async () => {
      const { sj, clock } = make();
      const good = new sj.AccessToken(sign(clock, keyPair('rsa'), 'k1'));
      const forged = new sj.AccessToken(sign(clock, keyPair('rsa-b'), 'k1'));
      expect(server.requests).to.equal(0);
      await good.verify();
      expect(server.requests).to.equal(1);
      // Once the key is cached the constructor itself refuses the forgery.
      expect(() => new sj.AccessToken(sign(clock, keyPair('rsa-b'), 'k1'))).to.throw(TokenError, 'Token is invalid');
      let caught: unknown;
      await forged.verify().catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(TokenError);
      expect((caught as Error).message).to.equal('Token is invalid');
    });

    it('after await sj.prepareKey(raw) the constructor checks the signature itself', async () => {
      const { sj, clock } = make();
      const forged = sign(clock, keyPair('rsa-b'), 'k1');
      await sj.prepareKey(forged);
      expect(() => new sj.AccessToken(forged)).to.throw(TokenError, 'Token is invalid');
      expect(() => new sj.AccessToken(sign(clock, keyPair('rsa'), 'k1'))).not.to.throw();
    });

    it('a failing key server rejects prepareKey() and verify() with ServiceUnavailable', async () => {
      const { sj, clock } = make();
      await server.stop();
      const raw = sign(clock, keyPair('rsa'), 'k1');
      let caught: unknown;
      await sj.prepareKey(raw).catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(ServiceUnavailable);
      caught = undefined;
      await new sj.AccessToken(raw).verify().catch((err) => (caught = err));
      expect(caught).to.be.instanceOf(ServiceUnavailable);
      server = await new KeyServer().start();
    });

    it("the ServiceUnavailable says why, for the operator: the jwkUrl in its cause, the reason in the cause's cause", async () => {
      for (const [status, body, reason] of [
        [500, { keys: [] }, 'the key server answered HTTP 500'],
        [200, {}, "the key set has no 'keys' array"],
        [200, null, "the key set has no 'keys' array"],
        [200, { keys: [{ ...keyPair('P-256').publicKey.export({ format: 'jwk' }), kid: 'k1' }] }, 'the key set contains no signing keys for RS256'],
      ] as const) {
        server.raw = { status, body };
        const { sj, clock } = make();
        const err = await sj.prepareKey(sign(clock, keyPair('rsa'), 'k1')).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, reason).to.be.instanceOf(ServiceUnavailable);
        const cause = (err as Error).cause as Error;
        expect(cause.message).to.equal(`passport-simplejwt: cannot get the key set of 'jwkUrl' (${server.url})`);
        expect((cause.cause as Error).message).to.equal(reason);
      }
    });

    it('the claim checks still run synchronously on a cold cache', () => {
      const { sj, clock } = make();
      const refresh = jwt.sign({ ...claims(clock), token_type: 'refresh' }, keyPair('rsa').privatePem, { algorithm: 'RS256', keyid: 'k1' });
      expect(() => new sj.AccessToken(refresh)).to.throw(TokenError, 'Token has wrong type');
    });
  });

  it('prepareKey() resolves at once without jwkUrl: before any timer, with nothing', async () => {
    const sj = new SimpleJWT({ signingKey: 'a-secret-a-secret-a-secret-a-secret' });
    let timerFired = false;
    const timer = setTimeout(() => (timerFired = true), 0);
    expect(await sj.prepareKey('anything')).to.equal(undefined);
    expect(timerFired, 'resolved only after a timer: it waited for something').to.equal(false);
    clearTimeout(timer);
  });
});
