import { execFile, spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import express from 'express';
import { jwksRouter, SimpleJWT } from '../../lib';
import { keyPair } from '../helpers/keys';

// Issue #21 item 6b: Django REST Framework Simple JWT 5.2 with JWK_URL pointing at our jwksRouter verifies
// our RS256 tokens. Needs Debian's python3-djangorestframework-simplejwt, python3-jwt, python3-cryptography
// under /usr/bin/python3; skipped without them unless CI is set (then it fails).

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'django-verify.py');
const quiet = { warn: () => undefined, error: () => undefined };

function djangoSimpleJwtInstalled(): boolean {
  return spawnSync(PYTHON, ['-c', 'import rest_framework_simplejwt, jwt, cryptography'], { stdio: 'ignore' }).status === 0;
}

function djangoDecode(url: string, token: string): Promise<{ status: number; out: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, url, token], { timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      try {
        resolve({ status, out: JSON.parse(stdout) as Record<string, unknown> });
      } catch {
        reject(new Error(`django-verify.py printed no JSON (exit ${status}): ${stdout}${stderr}`));
      }
    });
  });
}

describe('interop: Django Simple JWT with JWK_URL at our jwksRouter (#21)', function () {
  this.timeout(60_000);
  let server: Server;
  let url: string;
  let sj: SimpleJWT;

  before(function () {
    if (!djangoSimpleJwtInstalled()) {
      if (process.env.CI)
        throw new Error(
          `${PYTHON} cannot import rest_framework_simplejwt: apt-get install -y python3-djangorestframework-simplejwt python3-jwt python3-cryptography`,
        );
      this.skip();
    }
  });

  beforeEach(async () => {
    sj = new SimpleJWT({ algorithm: 'RS256', signingKey: { kid: '2026-12', key: keyPair('rsa').privatePem }, logger: quiet });
    server = express().use(jwksRouter(sj)).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('verifies our RS256 access token, before and after the signing key changes', async () => {
    const access = await sj.AccessToken.forUser({ id: 42 });
    const { status, out } = await djangoDecode(url, String(access));
    expect(status, JSON.stringify(out)).to.equal(0);
    expect(out).to.include({ user_id: '42', token_type: 'access', jti: access.get('jti') });
    // Rotated: the new key signs, the old one is still published.
    sj.setKeys({ signingKey: { kid: '2027-01', key: keyPair('rsa-b').privatePem }, verifyingKeys: [{ kid: '2026-12', key: keyPair('rsa').publicPem }] });
    const next = await sj.AccessToken.forUser({ id: 43 });
    expect((await djangoDecode(url, String(next))).out).to.include({ user_id: '43' });
    expect((await djangoDecode(url, String(access))).out).to.include({ user_id: '42' });
  });

  it('refuses a token of a key we do not publish', async () => {
    const other = new SimpleJWT({ algorithm: 'RS256', signingKey: { kid: '2026-12', key: keyPair('rsa-b').privatePem }, logger: quiet });
    const { status, out } = await djangoDecode(url, String(await other.AccessToken.forUser({ id: 1 })));
    expect(status).to.equal(1);
    expect(out.error).to.match(/invalid/i);
  });
});
