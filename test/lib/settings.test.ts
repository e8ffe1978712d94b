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
import { keyPair } from '../helpers/keys';
import { build, refused } from '../helpers/settings';

/** Asserts the message of an unknown setting `name` is exactly `message`: nothing after the hint, or no hint at all. */
function exactly(name: string, message: string): void {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(() => resolveSettings({ signingKey: SECRET, [name]: 1 })).to.throw(TypeError, new RegExp(`^passport-simplejwt: ${escaped}$`));
}

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
      for (const options of [null, [], 42, 'signingKey', true, undefined]) {
        expect(() => resolveSettings(options), String(options)).to.throw(TypeError, 'passport-simplejwt: options must be an object');
      }
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

    it('counts a swap of two adjacent letters as one edit, and allows fewer edits than a third of the name', () => {
      // One swap in a 4- or 5-letter name (one edit allowed): two edits without the swap rule.
      exactly('apsp', "unknown setting 'apsp': did you mean 'apps'?");
      exactly('cahce', "unknown setting 'cahce': did you mean 'cache'?");
      exactly('leewya', "unknown setting 'leewya': did you mean 'leeway'?");
      // A swap is of the same two letters only: 'uears' and 'auers' are two edits from 'users', too far in 5 letters.
      exactly('uears', "unknown setting 'uears'");
      exactly('auers', "unknown setting 'auers'");
      // Two edits from 'users' in a 3-letter name: too far.
      exactly('usr', "unknown setting 'usr'");
      // A name that is only the end of a known one is no typo of it ('jwkUrl').
      exactly('url', "unknown setting 'url'");
    });

    it("takes only a whole UPPER_SNAKE_CASE name for Simple JWT's: a mixed-case name gets the typo hint", () => {
      exactly('jwk_URL', "unknown setting 'jwk_URL': did you mean 'jwkUrl'?");
      exactly('JWK_URl', "unknown setting 'JWK_URl': did you mean 'jwkUrl'?");
      exactly('JWK_URL', "unknown setting 'JWK_URL': Simple JWT's JWK_URL is 'jwkUrl' here (settings are camelCase)");
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

  describe('validation: the values each check lets through', () => {
    const resolve = (options: Record<string, unknown>) => resolveSettings({ signingKey: SECRET, ...options });

    it('null where a setting takes null: audience, jwkUrl (RS), the hooks and jsonEncoder', () => {
      expect(resolve({ audience: null }).audience).to.equal(null);
      expect(resolve({ algorithm: 'RS256', jwkUrl: null }).jwkUrl).to.equal(null);
      expect(resolve({ jsonEncoder: null }).jsonEncoder).to.equal(null);
      for (const hook of ['isRevoked', 'onLoginSuccess', 'onLoginFailed', 'userAuthenticationRule', 'tokenUserClass', 'now']) {
        expect(() => build({ [hook]: null }), hook).not.to.throw();
      }
    });

    it('audience: a string or a non-empty array of strings', () => {
      expect(resolve({ audience: 'api' }).audience).to.equal('api');
      expect(resolve({ audience: ['api', 'web'] }).audience).to.deep.equal(['api', 'web']);
    });

    it('jwkUrl: an http(s) URL with a host, the whole value', () => {
      expect(resolve({ algorithm: 'RS256', jwkUrl: 'https://keys.example/jwks.json' }).jwkUrl).to.equal('https://keys.example/jwks.json');
      const message = "'jwkUrl' must be an http(s) URL or null";
      refused({ algorithm: 'RS256', jwkUrl: 'see https://keys.example/jwks.json' }, message);
      refused({ algorithm: 'RS256', jwkUrl: ['https://keys.example/jwks.json'] }, message);
      refused({ algorithm: 'RS256', jwkUrl: 'https:///jwks.json' }, message);
    });

    it('authHeaderTypes: an array of words, each one checked', () => {
      expect(resolve({ authHeaderTypes: ['Bearer', 'JWT'] }).authHeaderTypes).to.deep.equal(['Bearer', 'JWT']);
      refused({ authHeaderTypes: ['Bearer', 'JWT Token'] }, "'authHeaderTypes' must be a non-empty string or array of strings without spaces");
    });

    it("authHeaderName: only a name that starts with HTTP_ is read as Django's META name", () => {
      expect(resolve({ authHeaderName: 'X_HTTP_TOKEN' }).authHeaderName).to.equal('x_http_token');
    });

    it('storageTimeout: a positive duration, in seconds', () => {
      expect(resolve({ storageTimeout: '2s' }).storageTimeout).to.equal(2);
      expect(resolve({ storageTimeout: 0.25 }).storageTimeout).to.equal(0.25);
      for (const storageTimeout of [0, '0s']) refused({ storageTimeout }, "'storageTimeout' must be a positive duration");
      refused({ storageTimeout: -1 }, "'storageTimeout' must be a number of seconds or a duration string");
    });

    it('loginConcurrency: a positive integer, 1 included', () => {
      expect(resolve({ loginConcurrency: 1 }).loginConcurrency).to.equal(1);
      for (const loginConcurrency of [0, 1.5, '2']) refused({ loginConcurrency }, "'loginConcurrency' must be a positive integer");
    });

    it("outstandingTokenStorage: 'raw' or 'hash'", () => {
      expect(resolve({ outstandingTokenStorage: 'raw' }).outstandingTokenStorage).to.equal('raw');
      expect(resolve({ outstandingTokenStorage: 'hash' }).outstandingTokenStorage).to.equal('hash');
    });

    it('apps: a bad tokenFamily flag is named', () => {
      refused({ apps: { tokenFamily: 'yes' } }, "'apps.tokenFamily' must be a boolean");
    });

    it('sequelize: null without apps is not a Sequelize instance', () => {
      refused({ sequelize: null }, "'sequelize' must be a Sequelize instance");
    });

    it('a serializer setting: an object carrying a prototype with validate() is no class', () => {
      refused(
        { tokenObtainPairSerializer: { prototype: { validate: () => undefined } } },
        "'tokenObtainPairSerializer' must be a serializer class (a class with validate())",
      );
    });

    it('users: a class with static findById() and authenticate() is a UserStore', () => {
      class Users {
        static async findById() {
          return null;
        }
        static async authenticate() {
          return null;
        }
      }
      expect(() => build({ users: Users })).not.to.throw();
    });

    it('cache: has(), set() and delete() each required; an object with the three is taken as given', () => {
      const cache = { has: async () => false, set: async () => undefined, delete: async () => undefined };
      expect(build({ cache }).cache).to.equal(cache);
      for (const missing of ['has', 'set', 'delete'] as const) {
        const { [missing]: _gone, ...rest } = cache;
        refused({ cache: rest }, "'cache' must have has(), set() and delete()");
      }
    });

    it('logger: a function carrying error() and warn() is not a logger object', () => {
      const fn = Object.assign(() => undefined, { error: () => undefined, warn: () => undefined });
      refused({ logger: fn }, "'logger' must be an object with error() and warn() (console, pino, winston…)");
    });

    it('no warning for a secret as long as its hash, or for a key pair', () => {
      const warnings: string[] = [];
      const logger = { error: () => undefined, warn: (m: string) => void warnings.push(m) };
      new SimpleJWT({ signingKey: 'x'.repeat(32), logger });
      new SimpleJWT({ algorithm: 'HS384', signingKey: 'x'.repeat(48), logger });
      new SimpleJWT({ algorithm: 'HS512', signingKey: 'x'.repeat(64), logger });
      new SimpleJWT({ algorithm: 'RS256', signingKey: keyPair('rsa').privatePem, logger });
      expect(warnings).to.deep.equal([]);
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
