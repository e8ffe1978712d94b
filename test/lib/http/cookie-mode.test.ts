import { expect } from 'chai';
import { JWTStrategy, tokenRouter, type CookieModeOptions } from '../../../lib';
import { resolveCookieMode } from '../../../lib/extend';
import { makeSJ } from '../../helpers/fixtures';

function resolve(options: unknown, warn: (m: string) => void = () => undefined) {
  return resolveCookieMode(options as CookieModeOptions, warn);
}

describe('cookie mode options', () => {
  it('defaults: Django-like names, Secure, SameSite=Lax, Path=/, bodies unchanged', () => {
    expect(resolve({})).to.deep.equal({
      accessCookie: 'access',
      refreshCookie: 'refresh',
      slidingCookie: 'token',
      csrfCookie: 'csrftoken',
      csrfHeader: 'x-csrftoken',
      csrfTrustedOrigins: [],
      domain: undefined,
      path: '/',
      refreshPath: undefined,
      secure: true,
      sameSite: 'lax',
      omitFromBody: false,
    });
  });

  it('every cookie name is its own option: slidingCookie renames the sliding cookie only', () => {
    expect(resolve({ slidingCookie: 'session' })).to.include({ accessCookie: 'access', refreshCookie: 'refresh', slidingCookie: 'session' });
  });

  it('secure: false warns loudly, once per options object', () => {
    const warnings: string[] = [];
    const options = { secure: false };
    resolve(options, (m) => warnings.push(m));
    resolve(options, (m) => warnings.push(m));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^passport-simplejwt: WARNING: cookies\.secure is false/);
    expect(warnings[0]).to.include('127.0.0.1');
    expect(warnings[0]).to.include('every other host still gets Secure cookies. Never run production over plain HTTP.');
    resolve({ secure: true }, (m) => warnings.push(m));
    expect(warnings).to.have.length(1);
  });

  it('the strategy (which sets no cookie) does not use up the warning of the routers', () => {
    const warnings: string[] = [];
    const options = { secure: false };
    resolveCookieMode(options, null);
    resolve(options, (m) => warnings.push(m));
    expect(warnings).to.have.length(1);
  });

  describe('a bad option throws a TypeError naming it', () => {
    for (const [options, message] of [
      [null, "'cookies' must be an object such as { omitFromBody: true }"],
      [{ acessCookie: 'a' }, "unknown cookie mode option 'cookies.acessCookie'"],
      [{ accessCookie: 'a b' }, "'cookies.accessCookie' must be a cookie or header name (letters, digits, -_.)"],
      [{ refreshCookie: '' }, "'cookies.refreshCookie' must be a cookie or header name"],
      [{ csrfHeader: 'X:Y' }, "'cookies.csrfHeader' must be a cookie or header name"],
      [{ csrfTrustedOrigins: 'https://a.example' }, "'cookies.csrfTrustedOrigins' must be a list of origins such as 'https://app.example.com'"],
      [{ csrfTrustedOrigins: ['https://a.example/path'] }, "'cookies.csrfTrustedOrigins' must be a list of origins"],
      [{ domain: 'a.example; x' }, "'cookies.domain' must be a domain name"],
      [{ path: 'api' }, "'cookies.path' must be a path starting with '/'"],
      [{ refreshPath: '/a;b' }, "'cookies.refreshPath' must be a path starting with '/'"],
      [{ secure: 'no' }, "'cookies.secure' must be a boolean"],
      [{ omitFromBody: 1 }, "'cookies.omitFromBody' must be a boolean"],
      [{ sameSite: 'none' }, "'cookies.sameSite' must be 'lax' or 'strict'"],
      // Values of the wrong type, and the edges of each rule.
      ['lax', "'cookies' must be an object such as { omitFromBody: true }"],
      [{ slidingCookie: 42 }, "'cookies.slidingCookie' must be a cookie or header name"],
      [{ path: 42 }, "'cookies.path' must be a path starting with '/'"],
      [{ path: 'api/' }, "'cookies.path' must be a path starting with '/'"],
      [{ csrfTrustedOrigins: [['https://a.example']] }, "'cookies.csrfTrustedOrigins' must be a list of origins"],
      [{ domain: 42 }, "'cookies.domain' must be a domain name"],
      [{ domain: '' }, "'cookies.domain' must be a domain name"],
    ] as const) {
      it(`${JSON.stringify(options)}: ${message}`, () => {
        expect(() => resolve(options)).to.throw(TypeError, `passport-simplejwt: ${message}`);
      });
    }

    it('at construction of the routers and the strategies', () => {
      const { sj } = makeSJ();
      expect(() => tokenRouter(sj, { cookies: { path: 'x' } })).to.throw(TypeError, "'cookies.path'");
      expect(() => new JWTStrategy(sj, { cookies: { sameSite: 'none' as 'lax' } })).to.throw(TypeError, "'cookies.sameSite'");
    });
  });
});
