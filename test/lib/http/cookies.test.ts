import { expect } from 'chai';
import { isCookieValue, readCookie } from '../../../lib/http/cookies';

// Issue #22 (install weight): `cookie` is the 0.7 line express 5 and express 4.21.1+ depend
// on, so an app with express installs one copy. What lib/http/cookies.ts relies on of its
// `parse`, pinned here: it is also what cookie-parser (the same `cookie` 0.7) puts in `req.cookies`.

const req = (cookie?: string, cookies?: unknown) => ({ headers: cookie === undefined ? {} : { cookie }, cookies });

describe('reading cookies from the Cookie header (cookie 0.7, #22)', () => {
  it('finds the named cookie among others, spaces around pairs trimmed', () => {
    expect(readCookie(req('a=1;  access_token=tok ; b=2'), 'access_token')).to.equal('tok');
    expect(readCookie(req('a=1'), 'access_token')).to.equal(null);
    expect(readCookie(req(''), 'a')).to.equal(null);
    expect(readCookie(req(), 'a')).to.equal(null);
  });

  it('the first of two cookies of one name wins (the browser sends the most specific path first)', () => {
    expect(readCookie(req('t=first; t=second'), 't')).to.equal('first');
  });

  it('percent-encoding is decoded; a malformed escape is kept as sent', () => {
    expect(readCookie(req('t=a%20b'), 't')).to.equal('a b');
    expect(readCookie(req('t=a%zzb'), 't')).to.equal('a%zzb');
  });

  it('a double-quoted value is read without its quotes, as cookie-parser reads it', () => {
    expect(readCookie(req('t="tok"'), 't')).to.equal('tok');
    expect(isCookieValue(req('t="tok"'), 'tok')).to.equal(true);
  });

  it('an empty value is no cookie', () => {
    expect(readCookie(req('t='), 't')).to.equal(null);
  });

  it("names of Object.prototype's members are no cookies, and a cookie so named changes nothing", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(readCookie(req('a=1'), name)).to.equal(null);
    expect(readCookie(req('__proto__=x; t=tok'), 't')).to.equal('tok');
  });

  it('req.cookies (cookie-parser) is read first; the header is the fallback', () => {
    expect(readCookie(req('t=header', { t: 'parsed' }), 't')).to.equal('parsed');
    expect(readCookie(req('t=header', { t: '' }), 't')).to.equal('header');
    expect(isCookieValue(req(undefined, { t: 'tok' }), 'tok')).to.equal(true);
    expect(isCookieValue(req('t=other'), 'tok')).to.equal(false);
  });

  it("a value cookie-parser did not leave a string (a JSON cookie 'j:…' it parsed) is read from the header as sent", () => {
    expect(readCookie(req('t=j%3A%7B%7D', { t: {} }), 't')).to.equal('j:{}');
  });
});
