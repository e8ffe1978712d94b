import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { SimpleJWT } from '../../lib';
import {
  DEFAULT_ACCESS_TOKEN_LIFETIME,
  DEFAULT_CACHE_TTL,
  DEFAULT_REFRESH_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_LIFETIME,
  DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME,
  DEFAULT_TOKEN_FAMILY_LIFETIME,
  resolveSettings,
} from '../../lib/extend';
import { SECRET, makeSJ, memoryUsers } from '../helpers/fixtures';
import { build, refused } from '../helpers/settings';

describe('settings', () => {
  describe("defaults (Simple JWT's)", () => {
    it('fills every default', () => {
      const s = resolveSettings({ signingKey: SECRET });
      expect(s.apps).to.deep.equal({ blacklist: false, tokenFamily: false });
      expect(s.accessTokenLifetime).to.equal(300).and.equal(DEFAULT_ACCESS_TOKEN_LIFETIME);
      expect(s.refreshTokenLifetime).to.equal(86400).and.equal(DEFAULT_REFRESH_TOKEN_LIFETIME);
      expect(s.slidingTokenLifetime).to.equal(300).and.equal(DEFAULT_SLIDING_TOKEN_LIFETIME);
      expect(s.slidingTokenRefreshLifetime).to.equal(86400).and.equal(DEFAULT_SLIDING_TOKEN_REFRESH_LIFETIME);
      expect(s.tokenFamilyLifetime)
        .to.equal(30 * 86400)
        .and.equal(DEFAULT_TOKEN_FAMILY_LIFETIME);
      expect(s.cacheTtlBlacklistedRefreshTokens).to.equal(3600).and.equal(DEFAULT_CACHE_TTL);
      expect(s.cacheTtlBlacklistedFamilies).to.equal(3600);
      expect(s).to.include({
        rotateRefreshTokens: false,
        blacklistAfterRotation: false,
        updateLastLogin: false,
        tokenFamilyEnabled: false,
        tokenFamilyCheckOnAccess: false,
        tokenFamilyBlacklistOnReuse: false,
        refreshTokenReuseInterval: 0,
        algorithm: 'HS256',
        audience: null,
        issuer: null,
        jsonEncoder: null,
        jwkUrl: null,
        leeway: 0,
        authHeaderName: 'authorization',
        userIdField: 'id',
        userIdClaim: 'user_id',
        usernameField: 'username',
        tokenTypeClaim: 'token_type',
        jtiClaim: 'jti',
        tokenFamilyClaim: 'family_id',
        tokenFamilyExpirationClaim: 'family_exp',
        slidingTokenRefreshExpClaim: 'refresh_exp',
        checkRevokeToken: false,
        revokeTokenClaim: 'hash_password',
        checkUserIsActive: true,
        cacheBlacklistedRefreshTokens: false,
        cacheBlacklistedFamilies: false,
        cacheKeyPrefixBlacklistedRefreshTokens: 'sjwt_brt',
        cacheKeyPrefixBlacklistedFamilies: 'sjwt_btf',
      });
      expect(s.authHeaderTypes).to.deep.equal(['Bearer']);
    });

    it("resolves the default authTokenClasses to the instance's AccessToken", () => {
      const { sj } = makeSJ();
      expect(sj.authTokenClasses).to.deep.equal([sj.AccessToken]);
    });
  });

  describe('durations', () => {
    it('accept seconds and duration strings', () => {
      const s = resolveSettings({ signingKey: SECRET, accessTokenLifetime: '10m', refreshTokenLifetime: '2d', slidingTokenLifetime: 90, leeway: '30s' });
      expect(s.accessTokenLifetime).to.equal(600);
      expect(s.refreshTokenLifetime).to.equal(2 * 86400);
      expect(s.slidingTokenLifetime).to.equal(90);
      expect(s.leeway).to.equal(30);
    });

    it('take tokenFamilyLifetime null as "never expires"', () => {
      expect(resolveSettings({ signingKey: SECRET, tokenFamilyLifetime: null }).tokenFamilyLifetime).to.equal(null);
      expect(resolveSettings({ signingKey: SECRET, tokenFamilyLifetime: '7d' }).tokenFamilyLifetime).to.equal(7 * 86400);
    });

    for (const name of [
      'accessTokenLifetime',
      'refreshTokenLifetime',
      'slidingTokenLifetime',
      'slidingTokenRefreshLifetime',
      'tokenFamilyLifetime',
      'refreshTokenReuseInterval',
      'cacheTtlBlacklistedRefreshTokens',
      'cacheTtlBlacklistedFamilies',
    ]) {
      it(`refuse a bad '${name}'`, () => {
        refused({ [name]: '5 fortnights' }, `'${name}' must be a number of seconds or a duration string such as '5m' or '1d'`);
      });
    }
  });

  describe('validation: one test per message', () => {
    it('refuses options that are not an object', () => {
      expect(() => resolveSettings(null)).to.throw(TypeError, 'passport-simplejwt: options must be an object');
      expect(() => resolveSettings([])).to.throw(TypeError, 'passport-simplejwt: options must be an object');
    });

    it('refuses an unknown setting, naming it', () => {
      refused({ signingkey: 'x' }, "unknown setting 'signingkey'");
    });

    it('names the closest known setting for a camelCase typo (edit distance, case ignored)', () => {
      refused({ accessTokenLifeTime: '5m' }, "unknown setting 'accessTokenLifeTime': did you mean 'accessTokenLifetime'?");
      refused({ signingkey: 'x' }, "unknown setting 'signingkey': did you mean 'signingKey'?");
      refused({ rotateRefreshToken: true }, "unknown setting 'rotateRefreshToken': did you mean 'rotateRefreshTokens'?");
    });

    it("maps Simple JWT's UPPER_CASE names to ours", () => {
      refused(
        { ACCESS_TOKEN_LIFETIME: '5m' },
        "unknown setting 'ACCESS_TOKEN_LIFETIME': Simple JWT's ACCESS_TOKEN_LIFETIME is 'accessTokenLifetime' here (settings are camelCase)",
      );
      refused(
        { ROTATE_REFRESH_TOKENS: true },
        "unknown setting 'ROTATE_REFRESH_TOKENS': Simple JWT's ROTATE_REFRESH_TOKENS is 'rotateRefreshTokens' here (settings are camelCase)",
      );
    });

    it("maps Simple JWT's UPPER_CASE name of a removed setting to its replacement", () => {
      refused(
        { AUTH_HEADER_TYPE: 'Bearer' },
        "unknown setting 'AUTH_HEADER_TYPE': Simple JWT's AUTH_HEADER_TYPE is 'authHeaderType' here, which has been removed: use 'authHeaderTypes'",
      );
    });

    it('gives no hint when no known setting is close', () => {
      expect(() => resolveSettings({ signingKey: 'x'.repeat(40), banana: 1 })).to.throw(TypeError, /unknown setting 'banana'$/);
      expect(() => resolveSettings({ signingKey: 'x'.repeat(40), NOT_A_SETTING: 1 })).to.throw(TypeError, /unknown setting 'NOT_A_SETTING'$/);
    });

    it('treats Object.prototype names as unknown settings, not removed ones', () => {
      refused({ constructor: 1 }, "unknown setting 'constructor'");
      refused({ toString: 1 }, "unknown setting 'toString'");
    });

    const removed: Array<[string, string]> = [
      ['authHeaderType', "use 'authHeaderTypes'"],
      ['authTokenClass', "use 'authTokenClasses'"],
      ['secretKey', "use 'signingKey'"],
      ['tokenBackendClass', 'the token backend is not pluggable'],
    ];
    for (const [name, hint] of removed) {
      it(`refuses the removed setting '${name}'`, () => {
        refused({ [name]: 'x' }, `the '${name}' setting has been removed: ${hint}`);
      });
    }

    it('refuses a boolean setting of another type', () => {
      refused({ rotateRefreshTokens: 'yes' }, "'rotateRefreshTokens' must be a boolean");
      refused({ checkUserIsActive: 0 }, "'checkUserIsActive' must be a boolean");
    });

    it('refuses a string setting that is empty or not a string', () => {
      refused({ userIdClaim: '' }, "'userIdClaim' must be a non-empty string");
      refused({ usernameField: 5 }, "'usernameField' must be a non-empty string");
    });

    it('refuses a nullable string setting of another type', () => {
      refused({ issuer: 42 }, "'issuer' must be a non-empty string or null");
      refused({ tokenTypeClaim: '' }, "'tokenTypeClaim' must be a non-empty string or null");
    });

    it('accepts null for tokenTypeClaim and jtiClaim (the claims become optional)', () => {
      const s = resolveSettings({ signingKey: SECRET, tokenTypeClaim: null, jtiClaim: null });
      expect(s.tokenTypeClaim).to.equal(null);
      expect(s.jtiClaim).to.equal(null);
    });

    it("refuses 'apps' that is not an object", () => {
      refused({ apps: true }, "'apps' must be an object such as { blacklist: true }");
    });

    it('refuses an unknown app', () => {
      refused({ apps: { outstanding: true } }, "unknown app 'apps.outstanding' (known: blacklist, tokenFamily)");
    });

    it('refuses an app flag that is not a boolean, naming it', () => {
      refused({ apps: { blacklist: 'yes' } }, "'apps.blacklist' must be a boolean");
    });

    it('refuses apps enabled without sequelize', () => {
      const message = "'sequelize' is required when an app ('apps.blacklist' or 'apps.tokenFamily') is enabled";
      refused({ apps: { blacklist: true } }, message);
      refused({ apps: { tokenFamily: true }, sequelize: null }, message);
    });

    it("refuses a 'sequelize' that is not a Sequelize instance", () => {
      refused({ sequelize: { url: 'sqlite::memory:' } }, "'sequelize' must be a Sequelize instance");
    });

    it('accepts apps with a Sequelize instance', async () => {
      const sequelize = new Sequelize('sqlite::memory:', { logging: false });
      try {
        expect(build({ sequelize, apps: { blacklist: true } }).settings.apps).to.deep.equal({ blacklist: true, tokenFamily: false });
      } finally {
        await sequelize.close();
      }
    });

    it('refuses an unknown algorithm: Unrecognized algorithm type', () => {
      refused({ algorithm: 'HS1024' }, "'algorithm': Unrecognized algorithm type 'HS1024'");
      refused({ algorithm: 'none' }, "'algorithm': Unrecognized algorithm type 'none'");
    });

    it('refuses a bad audience', () => {
      const message = "'audience' must be a string, a non-empty array of strings, or null";
      refused({ audience: [] }, message);
      refused({ audience: ['a', 1] }, message);
      refused({ audience: 5 }, message);
    });

    it('refuses a bad leeway (wrong type or negative)', () => {
      const message = "'leeway' must be a number of seconds or a duration string such as '5m' or '1d'";
      refused({ leeway: true }, message);
      refused({ leeway: -1 }, message);
      refused({ leeway: { seconds: 5 } }, message);
    });

    it('refuses bad authHeaderTypes', () => {
      const message = "'authHeaderTypes' must be a non-empty string or array of strings without spaces";
      refused({ authHeaderTypes: [] }, message);
      refused({ authHeaderTypes: 'Bearer Token' }, message);
      refused({ authHeaderTypes: [7] }, message);
    });

    it('refuses a bad authHeaderName', () => {
      refused({ authHeaderName: '' }, "'authHeaderName' must be a non-empty string");
      refused({ authHeaderName: 'X Access Token' }, "'authHeaderName' is not a valid HTTP header name: 'X Access Token'");
      refused({ authHeaderName: 'x-token:' }, "'authHeaderName' is not a valid HTTP header name: 'x-token:'");
    });

    it('refuses a hook that is not a function', () => {
      refused({ onLoginSuccess: 'log' }, "'onLoginSuccess' must be a function");
      refused({ userAuthenticationRule: true }, "'userAuthenticationRule' must be a function");
      refused({ jsonEncoder: {} }, "'jsonEncoder' must be a function");
      refused({ now: Date.now() }, "'now' must be a function");
    });

    it('refuses a jwkUrl that is not an http(s) URL', () => {
      refused({ algorithm: 'RS256', jwkUrl: 'ftp://keys.example/jwks.json' }, "'jwkUrl' must be an http(s) URL or null");
      refused({ algorithm: 'RS256', jwkUrl: 'https://' }, "'jwkUrl' must be an http(s) URL or null");
    });

    it('refuses jwkUrl with an HMAC algorithm', () => {
      refused({ jwkUrl: 'https://keys.example/jwks.json' }, "'jwkUrl' needs an asymmetric 'algorithm' (RS*, ES* or PS*), not HS256");
    });

    it('refuses a missing HMAC key', () => {
      expect(() => new SimpleJWT({})).to.throw(TypeError, "passport-simplejwt: 'signingKey' is required for HS256");
      expect(() => new SimpleJWT({ signingKey: '', algorithm: 'HS512' })).to.throw(TypeError, "passport-simplejwt: 'signingKey' is required for HS512");
    });

    it('refuses a signing key of the wrong type', () => {
      refused({ signingKey: 12345 }, "'signingKey' must be a string, a Buffer or a crypto.KeyObject");
      refused({ signingKey: SECRET, verifyingKey: { pem: 'x' } }, "'verifyingKey' must be a string, a Buffer or a crypto.KeyObject");
    });

    it('refuses a missing RSA key for RS*', () => {
      for (const algorithm of ['RS256', 'RS384', 'RS512']) {
        expect(() => new SimpleJWT({ algorithm: algorithm as 'RS256' })).to.throw(
          TypeError,
          `passport-simplejwt: 'signingKey' (a private key) or 'verifyingKey' or 'jwkUrl' is required for ${algorithm}`,
        );
      }
    });

    it("refuses 'users' that is not a UserStore", () => {
      refused({ users: { findById: async () => null } }, "'users' must be a UserStore with findById() and authenticate()");
    });

    it("refuses a 'cache' without has/set/delete", () => {
      refused({ cache: { has: async () => false } }, "'cache' must have has(), set() and delete()");
    });

    it('refuses an authTokenClasses entry that is not a token class', () => {
      refused({ authTokenClasses: ['BearerToken'] }, "'authTokenClasses' entry BearerToken is not a token class");
      refused({ authTokenClasses: [class NotAToken {}] }, "'authTokenClasses' entry NotAToken is not a token class");
      refused({ authTokenClasses: [] }, "'authTokenClasses' must name at least one token class");
      // A name is looked up among the four classes only, never on Object.prototype.
      refused({ authTokenClasses: ['toString'] }, "'authTokenClasses' entry toString is not a token class");
      refused({ authTokenClasses: [42] }, "'authTokenClasses' entry 42 is not a token class");
      refused({ authTokenClasses: [null] }, "'authTokenClasses' entry null is not a token class");
    });

    it('takes a single authTokenClasses entry as a list of one', () => {
      const sj = build({ authTokenClasses: 'SlidingToken' });
      expect(sj.authTokenClasses).to.deep.equal([sj.SlidingToken]);
    });
  });

  describe('authHeaderName', () => {
    it('is lower-cased, as Node stores header names', () => {
      expect(resolveSettings({ signingKey: SECRET, authHeaderName: 'X-Access-Token' }).authHeaderName).to.equal('x-access-token');
    });

    it("accepts Django's META style 'HTTP_X_ACCESS_TOKEN'", () => {
      expect(resolveSettings({ signingKey: SECRET, authHeaderName: 'HTTP_X_ACCESS_TOKEN' }).authHeaderName).to.equal('x-access-token');
      expect(resolveSettings({ signingKey: SECRET, authHeaderName: 'HTTP_AUTHORIZATION' }).authHeaderName).to.equal('authorization');
    });

    it('takes a single authHeaderTypes string as a list', () => {
      expect(resolveSettings({ signingKey: SECRET, authHeaderTypes: 'JWT' }).authHeaderTypes).to.deep.equal(['JWT']);
    });
  });

  describe('several instances in one process', () => {
    it('do not interfere: keys, lifetimes and bound classes are per instance', () => {
      const a = new SimpleJWT({ signingKey: 'secret-a-secret-a-secret-a-secret-a', accessTokenLifetime: 60, users: memoryUsers() });
      const b = new SimpleJWT({ signingKey: 'secret-b-secret-b-secret-b-secret-b', accessTokenLifetime: '1h', users: memoryUsers() });
      expect(a.AccessToken).not.to.equal(b.AccessToken);
      expect(a.AccessToken.sj).to.equal(a);
      expect(b.AccessToken.sj).to.equal(b);
      const tokenA = new a.AccessToken();
      const tokenB = new b.AccessToken();
      expect((tokenA.get('exp') as number) - (tokenA.get('iat') as number)).to.equal(60);
      expect((tokenB.get('exp') as number) - (tokenB.get('iat') as number)).to.equal(3600);
      // Each verifies its own token and refuses the other's.
      expect(() => new a.AccessToken(String(tokenA))).not.to.throw();
      expect(() => new b.AccessToken(String(tokenB))).not.to.throw();
      expect(() => new a.AccessToken(String(tokenB))).to.throw('Token is invalid');
      expect(() => new b.AccessToken(String(tokenA))).to.throw('Token is invalid');
    });
  });
});
