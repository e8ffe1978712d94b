import { X509Certificate, createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  SimpleJWT,
  tokenObtainPairRouter,
  tokenObtainSlidingRouter,
  tokenRefreshRouter,
  tokenRefreshSlidingRouter,
  tokenRouter,
  tokenVerifyRouter,
  type Logger,
} from '../../lib';
import { MIN_HMAC_SECRET_BYTES } from '../../lib/extend';
import { appsOnMemoryDatabase, memoryUsers } from '../helpers/fixtures';
import { CERTIFICATE_PEM, keyPair } from '../helpers/keys';
import { build, refused } from '../helpers/settings';

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, error: () => undefined, warn: (m: string) => void warnings.push(m) };
}

describe('settings that would silently weaken what was asked are refused (SPEC 2)', () => {
  describe('apps the settings need', () => {
    it('blacklistAfterRotation without apps.blacklist', () => {
      refused({ rotateRefreshTokens: true, blacklistAfterRotation: true }, "'blacklistAfterRotation' needs the blacklist app ('apps.blacklist: true')");
      const { sequelize } = appsOnMemoryDatabase();
      refused(
        { sequelize, apps: { tokenFamily: true }, rotateRefreshTokens: true, blacklistAfterRotation: true },
        "'blacklistAfterRotation' needs the blacklist app",
      );
      expect(() => build({ sequelize, apps: { blacklist: true }, rotateRefreshTokens: true, blacklistAfterRotation: true })).not.to.throw();
    });

    it('refreshTokenReuseInterval without apps.blacklist', () => {
      refused(
        { rotateRefreshTokens: true, blacklistAfterRotation: true, refreshTokenReuseInterval: 5 },
        "'refreshTokenReuseInterval' needs the blacklist app ('apps.blacklist: true')",
      );
    });

    for (const setting of ['tokenFamilyEnabled', 'tokenFamilyCheckOnAccess', 'tokenFamilyBlacklistOnReuse']) {
      it(`${setting} without apps.tokenFamily`, () => {
        refused({ [setting]: true }, `'${setting}' needs the token family app ('apps.tokenFamily: true')`);
        const { sequelize } = appsOnMemoryDatabase();
        refused({ sequelize, apps: { blacklist: true }, [setting]: true }, `'${setting}' needs the token family app`);
        expect(() => build({ sequelize, apps: { tokenFamily: true }, [setting]: true })).not.to.throw();
        // Off is off: no app needed.
        expect(() => build({ [setting]: false })).not.to.throw();
      });
    }
  });

  describe('HMAC keys', () => {
    const { privatePem, publicPem } = keyPair('rsa');

    it('an HMAC algorithm given a PEM key (public or private), as a string, a Buffer or a secret KeyObject', () => {
      for (const algorithm of ['HS256', 'HS512']) {
        for (const key of [publicPem, privatePem, Buffer.from(publicPem), createSecretKey(Buffer.from(publicPem))]) {
          refused({ algorithm, signingKey: key }, `'signingKey' is a PEM key or certificate, but ${algorithm} takes a shared secret`);
        }
      }
    });

    it('PEM armour in lower or mixed case (OpenSSL reads it)', () => {
      const lower = publicPem.replace('BEGIN PUBLIC KEY', 'begin public key').replace('END PUBLIC KEY', 'end public key');
      const mixed = privatePem.replace('BEGIN PRIVATE KEY', 'Begin Private Key').replace('END PRIVATE KEY', 'End Private Key');
      for (const key of [lower, mixed, Buffer.from(lower)]) refused({ signingKey: key }, "'signingKey' is a PEM key or certificate, but HS256");
    });

    it('an X.509 certificate in PEM', () => {
      refused({ signingKey: CERTIFICATE_PEM }, "'signingKey' is a PEM key or certificate, but HS256 takes a shared secret");
      refused({ signingKey: Buffer.from(CERTIFICATE_PEM) }, "'signingKey' is a PEM key or certificate");
    });

    it('an HMAC algorithm given a JWK', () => {
      const jwk = JSON.stringify({ kty: 'RSA', n: 'x'.repeat(64), e: 'AQAB' });
      refused({ signingKey: jwk }, "'signingKey' is a JWK, but HS256 takes a shared secret");
    });

    it('OpenSSH public keys: ssh-rsa, ssh-ed25519, any ssh-* and ecdsa-sha2-*', () => {
      const body = randomBytes(64).toString('base64');
      for (const type of ['ssh-rsa', 'ssh-ed25519', 'ssh-dss', 'ssh-anything-new', 'ecdsa-sha2-nistp256', 'sk-ssh-ed25519@openssh.com']) {
        refused({ signingKey: `${type} AAAA${body} alice@laptop` }, "'signingKey' is an SSH key, but HS256 takes a shared secret");
      }
      refused({ signingKey: Buffer.from(`  ssh-ed25519 AAAA${body}\n`) }, "'signingKey' is an SSH key");
    });

    describe('DER keys and certificates, as a Buffer or as base64 text', () => {
      const rsa = keyPair('rsa');
      const ec = keyPair('P-256');
      const ed = generateKeyPairSync('ed25519');
      const ders: Array<[string, Buffer]> = [
        ['an RSA public key (spki)', rsa.publicKey.export({ type: 'spki', format: 'der' })],
        ['an RSA public key (pkcs1)', rsa.publicKey.export({ type: 'pkcs1', format: 'der' })],
        ['an RSA private key (pkcs8)', rsa.privateKey.export({ type: 'pkcs8', format: 'der' })],
        ['an RSA private key (pkcs1)', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })],
        ['an EC public key (spki)', ec.publicKey.export({ type: 'spki', format: 'der' })],
        ['an EC private key (sec1)', ec.privateKey.export({ type: 'sec1', format: 'der' })],
        ['an Ed25519 public key (spki)', ed.publicKey.export({ type: 'spki', format: 'der' })],
        ['a certificate', new X509Certificate(CERTIFICATE_PEM).raw],
      ];
      for (const [what, der] of ders) {
        it(what, () => {
          refused({ signingKey: der }, "'signingKey' is a DER key or certificate, but HS256 takes a shared secret");
          refused({ signingKey: createSecretKey(der) }, "'signingKey' is a DER key or certificate");
          for (const text of [der.toString('base64'), der.toString('base64url'), `${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n`]) {
            refused({ signingKey: text }, "'signingKey' is a DER key or certificate in base64, but HS256 takes a shared secret");
          }
        });
      }
    });

    it('secrets still pass: random bytes, their base64, base64url and hex, and text that only mentions keys', () => {
      for (let i = 0; i < 20; i++) {
        const bytes = randomBytes(48);
        for (const key of [bytes, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), createSecretKey(bytes)]) {
          expect(() => build({ signingKey: key })).not.to.throw();
        }
      }
      for (const key of [
        'sshh-this-is-a-long-enough-secret-0123456789',
        'my ssh-rsa secret is a long enough secret 0123',
        '-----BEGIN-----0123456789abcdef0123456789',
      ]) {
        expect(() => build({ signingKey: key }), key).not.to.throw();
      }
    });

    it('a secret that looks like JSON but is no JWK passes: an object without kty, text that only starts with a brace', () => {
      for (const key of [JSON.stringify({ secret: 'x'.repeat(40) }), `{${'x'.repeat(40)}`, Buffer.from(JSON.stringify({ k: 'y'.repeat(40) }))]) {
        const sj = build({ signingKey: key });
        expect(sj.backend.decode(String(new sj.AccessToken())).token_type, String(key)).to.equal('access');
      }
    });

    it(`an HMAC secret shorter than ${MIN_HMAC_SECRET_BYTES} bytes: string, Buffer or KeyObject`, () => {
      refused({ signingKey: 'abc' }, "'signingKey' is 3 bytes: an HS256 secret must be at least 32 bytes");
      refused({ signingKey: 'x'.repeat(31) }, "'signingKey' is 31 bytes");
      refused({ signingKey: Buffer.alloc(16, 1) }, "'signingKey' is 16 bytes");
      refused({ signingKey: createSecretKey(Buffer.alloc(8, 1)) }, "'signingKey' is 8 bytes");
      // Bytes, not characters: 11 three-byte characters are 33 bytes.
      expect(() => build({ signingKey: '€'.repeat(11) })).not.to.throw();
      expect(() => build({ signingKey: 'x'.repeat(32) })).not.to.throw();
    });
  });

  describe('RSA keys under 2048 bits', () => {
    for (const bits of [512, 1024]) {
      const small = generateKeyPairSync('rsa', { modulusLength: bits });
      const smallPss = generateKeyPairSync('rsa-pss', { modulusLength: bits });
      const privatePem = small.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const publicPem = small.publicKey.export({ type: 'spki', format: 'pem' }).toString();

      it(`${bits} bits as signingKey (PEM or KeyObject): refused at construction, not at the first signing`, () => {
        for (const algorithm of ['RS256', 'PS256']) {
          for (const signingKey of [privatePem, small.privateKey]) {
            refused({ algorithm, signingKey }, `'signingKey' is a ${bits}-bit RSA key: ${algorithm} needs at least 2048 bits`);
          }
        }
        refused({ algorithm: 'PS384', signingKey: smallPss.privateKey }, `'signingKey' is a ${bits}-bit RSA key: PS384 needs at least 2048 bits`);
      });

      it(`${bits} bits as verifyingKey`, () => {
        for (const verifyingKey of [publicPem, small.publicKey, small.privateKey]) {
          refused({ algorithm: 'RS256', signingKey: undefined, verifyingKey }, `'verifyingKey' is a ${bits}-bit RSA key: RS256 needs at least 2048 bits`);
        }
        // Beside a good signing key too.
        refused({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem, verifyingKey: publicPem }, `'verifyingKey' is a ${bits}-bit RSA key`);
      });
    }

    it('2048 bits pass', () => {
      const { privatePem, publicPem } = keyPair('rsa');
      expect(() => build({ algorithm: 'RS256', signingKey: privatePem })).not.to.throw();
      expect(() => build({ algorithm: 'PS256', signingKey: undefined, verifyingKey: publicPem })).not.to.throw();
    });
  });

  describe('jwkUrl', () => {
    const { publicPem } = keyPair('rsa');

    it('plain http:// is refused, except to localhost and 127.0.0.1', () => {
      for (const url of ['http://keys.example.com/.well-known/jwks.json', 'http://10.0.0.5/jwks', 'http://localhost.evil.example/jwks']) {
        refused({ algorithm: 'RS256', signingKey: undefined, verifyingKey: publicPem, jwkUrl: url }, "'jwkUrl' must use https://");
      }
      for (const url of ['https://keys.example.com/.well-known/jwks.json', 'http://localhost:8080/jwks', 'http://127.0.0.1:9000/jwks']) {
        expect(() => build({ algorithm: 'RS256', signingKey: undefined, jwkUrl: url }), url).not.to.throw();
      }
    });
  });

  describe('warnings, once per instance through logger.warn', () => {
    it('an HMAC secret shorter than the hash: 48 bytes for HS384, 64 for HS512', () => {
      const logger = recordingLogger();
      build({ algorithm: 'HS384', signingKey: 'x'.repeat(40), logger });
      build({ algorithm: 'HS512', signingKey: 'x'.repeat(63), logger });
      expect(logger.warnings).to.have.length(2);
      expect(logger.warnings[0]).to.include("'signingKey' is 40 bytes, shorter than the 48-byte hash of HS384");
      expect(logger.warnings[1]).to.include("'signingKey' is 63 bytes, shorter than the 64-byte hash of HS512");

      const quiet = recordingLogger();
      build({ algorithm: 'HS384', signingKey: 'x'.repeat(48), logger: quiet });
      build({ algorithm: 'HS512', signingKey: 'x'.repeat(64), logger: quiet });
      build({ algorithm: 'HS256', signingKey: 'x'.repeat(32), logger: quiet });
      expect(quiet.warnings).to.deep.equal([]);
    });

    it('a leeway longer than the access token lifetime', () => {
      const logger = recordingLogger();
      const sj = build({ leeway: '3650d', logger });
      expect(logger.warnings).to.have.length(1);
      expect(logger.warnings[0]).to.include("'leeway' (315360000 s) is longer than 'accessTokenLifetime' (300 s)");
      // Once: using the instance prints nothing more.
      new sj.AccessToken();
      expect(logger.warnings).to.have.length(1);

      const quiet = recordingLogger();
      build({ leeway: 300, logger: quiet });
      build({ leeway: '10m', accessTokenLifetime: '1h', logger: quiet });
      expect(quiet.warnings).to.deep.equal([]);
    });

    it('the default logger is console.warn', () => {
      const original = console.warn;
      const printed: unknown[] = [];
      console.warn = (...args: unknown[]) => void printed.push(args.join(' '));
      try {
        build({ leeway: '1d' });
      } finally {
        console.warn = original;
      }
      expect(printed).to.have.length(1);
      expect(String(printed[0])).to.include("'leeway'");
    });

    it("'logger' must have error() and warn()", () => {
      refused({ logger: { error: () => undefined } }, "'logger' must be an object with error() and warn()");
      refused({ logger: 'console' }, "'logger' must be an object with error() and warn()");
    });
  });

  describe('a router that signs on a verify-only instance', () => {
    const { publicPem } = keyPair('rsa');
    const verifyOnly = () => new SimpleJWT({ algorithm: 'RS256', verifyingKey: publicPem, users: memoryUsers() });

    it('obtain, refresh and the sliding views throw a TypeError when built; verify mounts', () => {
      const sj = verifyOnly();
      for (const router of [tokenObtainPairRouter, tokenRefreshRouter, tokenObtainSlidingRouter, tokenRefreshSlidingRouter]) {
        expect(() => router(sj), router.name).to.throw(TypeError, 'signs tokens, but this instance only verifies');
      }
      expect(() => tokenRouter(sj)).to.throw(TypeError, 'signs tokens, but this instance only verifies');
      expect(() => tokenVerifyRouter(sj)).not.to.throw();
    });
  });
});
