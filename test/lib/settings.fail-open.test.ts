import { createSecretKey } from 'node:crypto';
import { expect } from 'chai';
import {
  MIN_HMAC_SECRET_BYTES,
  SimpleJWT,
  tokenObtainPairRouter,
  tokenObtainSlidingRouter,
  tokenRefreshRouter,
  tokenRefreshSlidingRouter,
  tokenRouter,
  tokenVerifyRouter,
  type Logger,
} from '../../lib';
import { appsOnMemoryDatabase, memoryUsers } from '../helpers/fixtures';
import { keyPair } from '../helpers/keys';
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

    it('an HMAC algorithm given a PEM key (public or private), as a string or a Buffer', () => {
      for (const algorithm of ['HS256', 'HS512']) {
        for (const key of [publicPem, privatePem, Buffer.from(publicPem)]) {
          refused({ algorithm, signingKey: key }, `'signingKey' is a PEM or JWK key, but ${algorithm} takes a shared secret`);
        }
      }
    });

    it('an HMAC algorithm given a JWK', () => {
      const jwk = JSON.stringify({ kty: 'RSA', n: 'x'.repeat(64), e: 'AQAB' });
      refused({ signingKey: jwk }, "'signingKey' is a PEM or JWK key, but HS256 takes a shared secret");
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
