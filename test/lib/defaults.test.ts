import { expect } from 'chai';
import { DEFAULTS, MemoryBlacklistCache, SimpleJWT, TokenUser } from '../../lib';
import * as extend from '../../lib/extend';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../routes/body';
import { DEFAULT_JWKS_PATH } from '../../routes/jwks';
import { Clock, SECRET } from '../helpers/fixtures';

describe('DEFAULTS', () => {
  it('is frozen, nested objects too', () => {
    expect(Object.isFrozen(DEFAULTS)).to.be.true;
    for (const value of Object.values(DEFAULTS)) if (typeof value === 'object') expect(Object.isFrozen(value)).to.be.true;
  });

  it('holds the DEFAULT_* constants of passport-simplejwt/extend and of the views', () => {
    expect(DEFAULTS.accessTokenLifetime).to.equal(extend.DEFAULT_ACCESS_TOKEN_LIFETIME);
    expect(DEFAULTS.loginThrottle.keyPrefix).to.equal(extend.DEFAULT_LOGIN_THROTTLE_KEY_PREFIX);
    expect(DEFAULTS.cookieMode.csrfHeader).to.equal(extend.DEFAULT_CSRF_HEADER);
    expect(DEFAULTS.jwksRouter.path).to.equal(DEFAULT_JWKS_PATH);
    expect(DEFAULTS.bodyLimitBytes).to.equal(DEFAULT_BODY_LIMIT_BYTES);
    expect(DEFAULTS.redisCommandTimeoutMs).to.equal(extend.DEFAULT_REDIS_COMMAND_TIMEOUT_MS);
  });

  it('is what an instance resolves when the settings are not given', () => {
    const { settings } = new SimpleJWT({ signingKey: SECRET });
    for (const name of [
      'accessTokenLifetime',
      'refreshTokenLifetime',
      'slidingTokenLifetime',
      'slidingTokenRefreshLifetime',
      'tokenFamilyLifetime',
      'cacheTtlBlacklistedRefreshTokens',
      'cacheTtlBlacklistedFamilies',
      'storageTimeout',
      'loginConcurrency',
    ] as const) {
      expect(settings[name], name).to.equal(DEFAULTS[name]);
    }
  });
  it("gives an instance without logger, now, cache, authTokenClasses, tokenUserClass or loginThrottle the package's own", async () => {
    const sj = new SimpleJWT({ signingKey: SECRET });
    expect(sj.logger).to.equal(extend.DEFAULT_LOGGER);
    expect(extend.DEFAULT_LOGGER).to.equal(console);
    const before = Date.now();
    const now = sj.now().getTime();
    expect(now).to.be.within(before, Date.now());
    expect(sj.cache).to.be.instanceOf(MemoryBlacklistCache);
    expect(sj.authTokenClasses).to.deep.equal([sj.AccessToken]);
    expect(sj.tokenUserClass).to.equal(TokenUser);
    expect(sj.loginThrottle).to.equal(null);
    // Without loginThrottle a login is never refused and its success counts nothing.
    const attempt = await sj.beginLogin('alice');
    await attempt.succeeded();
  });

  it("the default cache reads the instance's clock: a blacklisted entry ends when that clock passes its time to live", async () => {
    const clock = new Clock();
    const sj = new SimpleJWT({ signingKey: SECRET, now: clock.now });
    await sj.cache.set('jti', 60);
    expect(await sj.cache.has('jti')).to.equal(true);
    clock.advance(61);
    expect(await sj.cache.has('jti')).to.equal(false);
  });
});
