import { expect } from 'chai';
import { AuthenticationFailed } from '../../../lib';
import { parseAuthHeader } from '../../../lib/http/auth-header';

const BEARER = new Set(['Bearer']);
const TWO_PARTS = 'Authorization header must contain two space-delimited values';

describe('parseAuthHeader(): the token of an auth header', () => {
  it('the usual header: the token after one space', () => {
    expect(parseAuthHeader('Bearer abc.def.ghi', BEARER)).to.equal('abc.def.ghi');
  });

  it('the scheme compares ignoring case, for every configured scheme, and another scheme of the same length is not taken', () => {
    const schemes = new Set(['JWT', 'Bearer']);
    expect(parseAuthHeader('bearer abc', schemes)).to.equal('abc');
    expect(parseAuthHeader('jwt abc', schemes)).to.equal('abc');
    expect(parseAuthHeader('jWt\tabc', schemes)).to.equal('abc');
    // Six letters as Bearer, three as JWT: the length alone never makes a scheme.
    expect(parseAuthHeader('Digest abc', schemes)).to.equal(null);
    expect(parseAuthHeader('Tok abc', schemes)).to.equal(null);
    expect(parseAuthHeader('Bearers abc', schemes)).to.equal(null);
  });

  it('leading and trailing ASCII whitespace are dropped, and any run of it separates the parts (as Python bytes.split())', () => {
    expect(parseAuthHeader(' Bearer abc', BEARER)).to.equal('abc');
    expect(parseAuthHeader('Bearer abc ', BEARER)).to.equal('abc');
    expect(parseAuthHeader('\t Bearer \r\n abc \f\v', BEARER)).to.equal('abc');
    expect(parseAuthHeader('Bearer  abc', BEARER)).to.equal('abc');
    expect(parseAuthHeader('Bearer\tabc', BEARER)).to.equal('abc');
  });

  it('a header that is empty, only whitespace or of another scheme is no token (other strategies may run)', () => {
    for (const header of ['', ' ', ' \t ', 'Basic YWxpY2U6cHc=', ' Basic x', 'abc']) {
      expect(parseAuthHeader(header, BEARER), JSON.stringify(header)).to.equal(null);
    }
  });

  it('the accepted scheme without exactly one token is 401 bad_authorization_header, wherever the whitespace is', () => {
    for (const header of ['Bearer', 'Bearer ', ' Bearer', 'Bearer\t', 'Bearer a b', 'Bearer\ta b', 'Bearer a\tb', 'Bearer a b ', 'bearer  a  b']) {
      let thrown: unknown;
      try {
        parseAuthHeader(header, BEARER);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, JSON.stringify(header)).to.be.instanceOf(AuthenticationFailed);
      expect((thrown as AuthenticationFailed).message).to.equal(TWO_PARTS);
      expect((thrown as AuthenticationFailed).code).to.equal('bad_authorization_header');
    }
  });

  it('a non-ASCII space is part of a word: no split on it', () => {
    expect(parseAuthHeader('Bearer\u00a0abc', BEARER)).to.equal(null);
    expect(parseAuthHeader('Bearer abc\u00a0def', BEARER)).to.equal('abc\u00a0def');
  });
});
