import { expect } from 'chai';
import request from 'supertest';
import { JWTStatelessStrategy, SimpleJWT, type KeySettings, type SimpleJWTOptions } from '../../lib';
import { Clock, SECRET } from '../helpers/fixtures';
import { appWith } from '../helpers/http';
import { ed25519Pair, keyPair } from '../helpers/keys';

// Issue #21 item 3: sj.setKeys() on a running instance, and the rotation runbook of docs/keys.md over HTTP:
// old-key tokens work while listed and fail once removed, with no restart and across one.

const quiet = { warn: () => undefined, error: () => undefined };
const OLD = `${SECRET}-old`;
const NEW = `${SECRET}-new`;

function instance(keys: KeySettings, extra: Partial<SimpleJWTOptions> = {}, clock = new Clock()) {
  const sj = new SimpleJWT({ ...keys, logger: quiet, now: clock.now, ...extra } as SimpleJWTOptions);
  return { sj, clock, app: appWith(new JWTStatelessStrategy(sj)) };
}

async function status(app: ReturnType<typeof appWith>, token: string): Promise<number> {
  const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
  if (res.status === 401) expect(res.body.code).to.equal('token_not_valid');
  return res.status;
}

const mint = async (sj: SimpleJWT) => String(await sj.AccessToken.forUser({ id: 1 }));

describe('key rotation: setKeys() and the runbook over HTTP (#21)', () => {
  it("HS: a secret's tokens work through the grace period, and are refused at once when the secret is dropped (remembered ones too)", async () => {
    // Step 0, today's configuration.
    const { sj, app } = instance({ signingKey: OLD });
    const old = await mint(sj);
    expect(await status(app, old)).to.equal(200); // verified, and remembered
    // Step 1 (docs/keys.md's runbook): the new secret verifies everywhere; nothing visible yet.
    sj.setKeys({ signingKey: OLD, verifyingKeys: [{ kid: '2027-01', key: NEW }] });
    expect(await status(app, old)).to.equal(200);
    expect(String(await sj.AccessToken.forUser({ id: 1 })).split('.')[0]).to.equal(old.split('.')[0]);
    // Step 2: the new secret signs, with a kid; the old one verifies tokens without kid.
    sj.setKeys({ signingKey: { kid: '2027-01', key: NEW }, verifyingKey: OLD });
    const fresh = await mint(sj);
    expect(await status(app, old)).to.equal(200);
    expect(await status(app, fresh)).to.equal(200);
    // Step 3, after the refresh lifetime: the old secret goes.
    sj.setKeys({ signingKey: { kid: '2027-01', key: NEW } });
    expect(await status(app, old)).to.equal(401);
    expect(await status(app, fresh)).to.equal(200);
    // The next rotation, every key named: publish, sign, drop.
    sj.setKeys({ signingKey: { kid: '2027-01', key: NEW }, verifyingKeys: [{ kid: '2027-07', key: `${SECRET}-next` }] });
    sj.setKeys({ signingKey: { kid: '2027-07', key: `${SECRET}-next` }, verifyingKeys: [{ kid: '2027-01', key: NEW }] });
    const next = await mint(sj);
    expect(await status(app, fresh)).to.equal(200);
    expect(await status(app, next)).to.equal(200);
    sj.setKeys({ signingKey: { kid: '2027-07', key: `${SECRET}-next` } });
    expect(await status(app, fresh)).to.equal(401);
    expect(await status(app, next)).to.equal(200);
  });

  it('RS and EdDSA: publish the next public key, sign with it, drop the old one; and the same across restarts', async () => {
    for (const [algorithm, a, b] of [
      ['RS256', keyPair('rsa'), keyPair('rsa-b')],
      ['EdDSA', ed25519Pair('a'), ed25519Pair('b')],
    ] as const) {
      const extra = { algorithm } as Partial<SimpleJWTOptions>;
      const steps: KeySettings[] = [
        { signingKey: { kid: 'a', key: a.privateKey } },
        { signingKey: { kid: 'a', key: a.privateKey }, verifyingKeys: [{ kid: 'b', key: b.publicKey }] },
        { signingKey: { kid: 'b', key: b.privateKey }, verifyingKeys: [{ kid: 'a', key: a.publicKey }] },
        { signingKey: { kid: 'b', key: b.privateKey } },
      ];
      const live = instance(steps[0], extra);
      const oldToken = await mint(live.sj);
      expect(await status(live.app, oldToken), algorithm).to.equal(200);
      live.sj.setKeys(steps[1]);
      expect(await status(live.app, oldToken)).to.equal(200);
      live.sj.setKeys(steps[2]);
      const newToken = await mint(live.sj);
      expect(await status(live.app, oldToken)).to.equal(200);
      expect(await status(live.app, newToken)).to.equal(200);
      // Across a restart: a new process started with step 2's settings, then with step 3's.
      const restarted = instance(steps[2], extra, live.clock);
      expect(await status(restarted.app, oldToken)).to.equal(200);
      expect(await status(restarted.app, newToken)).to.equal(200);
      live.sj.setKeys(steps[3]);
      expect(await status(live.app, oldToken), `${algorithm}: dropped`).to.equal(401);
      expect(await status(live.app, newToken)).to.equal(200);
      const final = instance(steps[3], extra, live.clock);
      expect(await status(final.app, oldToken)).to.equal(401);
      expect(await status(final.app, newToken)).to.equal(200);
    }
  });

  it('a bad key set throws as the constructor would, and changes nothing', async () => {
    const { sj, app } = instance({ signingKey: { kid: 'a', key: OLD } });
    const token = await mint(sj);
    expect(() =>
      sj.setKeys({
        signingKey: { kid: 'a', key: OLD },
        verifyingKeys: [
          { kid: 'b', key: NEW },
          { kid: 'b', key: `${NEW}2` },
        ],
      }),
    ).to.throw(TypeError, "passport-simplejwt: 'verifyingKeys[1].kid' 'b' is a duplicate of 'verifyingKeys[0].kid'");
    expect(() => sj.setKeys({ signingKey: 'short' })).to.throw(TypeError, "passport-simplejwt: 'signingKey' is 5 bytes");
    expect(() => sj.setKeys({ verifyingKeys: [{ kid: 'a', key: OLD }] })).to.throw(TypeError, "passport-simplejwt: 'signingKey' is required for HS256");
    expect(() => sj.setKeys({ signingKey: OLD, jwkUrl: 'x' } as KeySettings)).to.throw(
      TypeError,
      "setKeys() takes { signingKey, verifyingKey, verifyingKeys }, not 'jwkUrl'",
    );
    for (const notKeys of [null, 'secret', [], 42]) {
      expect(() => sj.setKeys(notKeys as unknown as KeySettings), JSON.stringify(notKeys)).to.throw(
        TypeError,
        /^passport-simplejwt: setKeys\(\) takes \{ signingKey, verifyingKey, verifyingKeys \}$/,
      );
    }
    expect(await status(app, token)).to.equal(200);
    expect(String(await sj.AccessToken.forUser({ id: 1 })).split('.')[0]).to.equal(token.split('.')[0]);
  });

  it('an instance that signs keeps a signing key', () => {
    const rsa = keyPair('rsa');
    const { sj } = instance({ signingKey: rsa.privatePem }, { algorithm: 'RS256' });
    expect(() => sj.setKeys({ verifyingKey: rsa.publicPem })).to.throw(
      TypeError,
      "passport-simplejwt: 'signingKey' is required by setKeys() on an instance that signs",
    );
    expect(sj.backend.canSign).to.equal(true);
  });

  it('setKeys() warns, as the constructor does, of an HMAC secret shorter than its hash', () => {
    const warnings: string[] = [];
    const sj = new SimpleJWT({ algorithm: 'HS512', signingKey: SECRET, logger: { warn: (m: string) => warnings.push(m), error: () => undefined } });
    expect(warnings).to.deep.equal([]);
    sj.setKeys({ signingKey: { kid: 'k', key: 'x'.repeat(40) } });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain("'signingKey' is 40 bytes, shorter than the 64-byte hash of HS512");
  });

  it("tokens of a dropped key are reported through the instance's logger, as keys out of step between instances", async () => {
    const warnings: string[] = [];
    const { sj, app } = instance({ signingKey: OLD }, { logger: { warn: (m: string) => void warnings.push(m), error: () => undefined } });
    const token = await mint(sj);
    sj.setKeys({ signingKey: NEW });
    expect(await status(app, token)).to.equal(401);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^passport-simplejwt: 1 token failed the signature check in the last minute .*are two instances using different keys\?$/);
  });
});
