import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { jwksRouter, SimpleJWT, TokenBackendError } from '../../lib';
import { JWKS_CACHE_MAX_AGE, JWKS_COOLDOWN } from '../../lib/backend/jwks';
import { Clock } from '../helpers/fixtures';
import { keyPair } from '../helpers/keys';

// Issue #21 item 6a: our jwkUrl pointing at a second instance's jwksRouter (real Express on
// 127.0.0.1) verifies across a rotation: the new key published, then signing switched, then the old key dropped.

const quiet = { warn: () => undefined, error: () => undefined };

describe("interop: jwkUrl against another instance's jwksRouter, across a rotation (#21)", () => {
  let server: Server;
  let issuer: SimpleJWT;
  let verifier: SimpleJWT;
  let clock: Clock;
  const a = keyPair('rsa');
  const b = keyPair('rsa-b');

  beforeEach(async () => {
    clock = new Clock();
    issuer = new SimpleJWT({ algorithm: 'RS256', signingKey: { kid: 'a', key: a.privateKey }, now: clock.now, logger: quiet });
    server = express().use(jwksRouter(issuer)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    verifier = new SimpleJWT({ algorithm: 'RS256', jwkUrl: url, now: clock.now, logger: quiet });
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** The verifier's answer for a token: its user id, or the error message. */
  async function verify(raw: string): Promise<string> {
    await verifier.prepareKey(raw);
    try {
      return String(verifier.backend.decode(raw, true, clock.now()).user_id);
    } catch (err) {
      expect(err).to.be.instanceOf(TokenBackendError);
      return (err as Error).message;
    }
  }

  it('old tokens verify while the key is published, new ones as soon as they appear, old ones fail once dropped', async () => {
    const oldToken = String(await issuer.AccessToken.forUser({ id: 1 }));
    expect(await verify(oldToken)).to.equal('1');
    // Step 1: the next key is published (signing unchanged).
    issuer.setKeys({ signingKey: { kid: 'a', key: a.privateKey }, verifyingKeys: [{ kid: 'b', key: b.publicKey }] });
    clock.advance(JWKS_COOLDOWN + 1);
    // Step 2: signing switches; the verifier meets kid 'b' and fetches the set again.
    issuer.setKeys({ signingKey: { kid: 'b', key: b.privateKey }, verifyingKeys: [{ kid: 'a', key: a.publicKey }] });
    const newToken = String(await issuer.AccessToken.forUser({ id: 2 }));
    expect(await verify(newToken)).to.equal('2');
    expect(await verify(oldToken)).to.equal('1');
    // Step 3: the old key is dropped; once the verifier's copy of the set is stale, old tokens fail.
    issuer.setKeys({ signingKey: { kid: 'b', key: b.privateKey } });
    clock.advance(JWKS_CACHE_MAX_AGE);
    const later = String(await issuer.AccessToken.forUser({ id: 3 }));
    expect(await verify(later)).to.equal('3');
    expect(await verify(oldToken)).to.equal('Token is invalid');
  });
});
