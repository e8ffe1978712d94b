import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { resolveSettings } from '../../lib/extend';
import { SECRET } from '../helpers/fixtures';

/** The options the reuse interval needs, with `overrides` on top. */
function options(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    signingKey: SECRET,
    // A Sequelize instance is never connected by the constructor: no database needed here.
    sequelize: new Sequelize('sqlite::memory:', { logging: false }),
    apps: { blacklist: true },
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
    refreshTokenReuseInterval: '2s',
    ...overrides,
  };
}

function build(overrides: Record<string, unknown>): SimpleJWT {
  return new SimpleJWT(options(overrides) as SimpleJWTOptions);
}

describe('settings: refreshTokenReuseInterval', () => {
  it('defaults to 0 (off) and then needs nothing else', () => {
    expect(resolveSettings({ signingKey: SECRET }).refreshTokenReuseInterval).to.equal(0);
    expect(resolveSettings({ signingKey: SECRET, refreshTokenReuseInterval: 0 }).refreshTokenReuseInterval).to.equal(0);
  });

  it('accepts seconds or a duration string with rotation, blacklistAfterRotation and the blacklist app', () => {
    expect(build({}).settings.refreshTokenReuseInterval).to.equal(2);
    expect(build({ refreshTokenReuseInterval: 0.5 }).settings.refreshTokenReuseInterval).to.equal(0.5);
  });

  it('refuses it without rotateRefreshTokens, naming the setting', () => {
    expect(() => build({ rotateRefreshTokens: false })).to.throw(
      TypeError,
      "passport-simplejwt: 'refreshTokenReuseInterval' needs 'rotateRefreshTokens: true'",
    );
  });

  it('refuses it without blacklistAfterRotation, naming the setting', () => {
    expect(() => build({ blacklistAfterRotation: undefined })).to.throw(
      TypeError,
      "passport-simplejwt: 'refreshTokenReuseInterval' needs 'blacklistAfterRotation: true'",
    );
  });

  it('refuses it without the blacklist app, naming the setting', () => {
    expect(() => build({ apps: { tokenFamily: true } })).to.throw(
      TypeError,
      "passport-simplejwt: 'refreshTokenReuseInterval' needs the blacklist app ('apps.blacklist: true')",
    );
  });

  it('refuses a negative or malformed interval', () => {
    expect(() => build({ refreshTokenReuseInterval: -1 })).to.throw(TypeError, "'refreshTokenReuseInterval' must be a number of seconds");
  });
});
