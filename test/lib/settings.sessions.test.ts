import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { resolveSettings } from '../../lib/extend';
import { SECRET } from '../helpers/fixtures';

function build(overrides: Record<string, unknown>): SimpleJWT {
  return new SimpleJWT({
    signingKey: SECRET,
    // Never connected by the constructor: no database needed here.
    sequelize: new Sequelize('sqlite::memory:', { logging: false }),
    apps: { blacklist: true, tokenFamily: true },
    tokenFamilyEnabled: true,
    ...overrides,
  } as SimpleJWTOptions);
}

describe('settings: maxSessionsPerUser and outstandingTokenStorage (#24)', () => {
  it('default to null (no cap) and raw', () => {
    const settings = resolveSettings({ signingKey: SECRET });
    expect(settings.maxSessionsPerUser).to.equal(null);
    expect(settings.outstandingTokenStorage).to.equal('raw');
  });

  it('maxSessionsPerUser: a positive integer or null', () => {
    expect(build({ maxSessionsPerUser: 3 }).settings.maxSessionsPerUser).to.equal(3);
    expect(build({ maxSessionsPerUser: null }).settings.maxSessionsPerUser).to.equal(null);
    for (const bad of [0, -1, 1.5, '3', Number.NaN, Infinity]) {
      expect(() => build({ maxSessionsPerUser: bad }), String(bad)).to.throw(TypeError, "passport-simplejwt: 'maxSessionsPerUser' must be a positive integer");
    }
  });

  it('maxSessionsPerUser needs token families, naming them', () => {
    const message =
      "passport-simplejwt: 'maxSessionsPerUser' needs token families ('tokenFamilyEnabled: true' and 'apps.tokenFamily: true'): a session is a token family";
    expect(() => build({ maxSessionsPerUser: 2, tokenFamilyEnabled: false })).to.throw(TypeError, message);
    expect(() => new SimpleJWT({ signingKey: SECRET, maxSessionsPerUser: 2 })).to.throw(TypeError, message);
  });

  it("outstandingTokenStorage: 'raw' or 'hash' only", () => {
    expect(build({ outstandingTokenStorage: 'hash' }).settings.outstandingTokenStorage).to.equal('hash');
    expect(() => build({ outstandingTokenStorage: 'sha256' })).to.throw(
      TypeError,
      `passport-simplejwt: 'outstandingTokenStorage' must be 'raw' or 'hash', not "sha256"`,
    );
    expect(() => build({ outstandingTokenStorage: null })).to.throw(TypeError, "'outstandingTokenStorage' must be 'raw' or 'hash', not null");
  });

  it("outstandingTokenStorage: 'hash' refuses refreshTokenReuseInterval, naming both", () => {
    const reuse = { rotateRefreshTokens: true, blacklistAfterRotation: true, refreshTokenReuseInterval: '10s' };
    expect(build(reuse).settings.refreshTokenReuseInterval).to.equal(10);
    expect(() => build({ ...reuse, outstandingTokenStorage: 'hash' })).to.throw(
      TypeError,
      "passport-simplejwt: 'outstandingTokenStorage: 'hash'' cannot serve 'refreshTokenReuseInterval': the retry answers the successor token, which is then not stored",
    );
  });
});
