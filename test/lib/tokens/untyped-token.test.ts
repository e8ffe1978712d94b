import { expect } from 'chai';
import { ExpiredTokenError, SimpleJWT, TokenError } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

describe('UntypedToken', () => {
  it('accepts a valid token of any type', () => {
    const { sj } = makeSJ();
    for (const raw of [new sj.AccessToken(), new sj.RefreshToken(), new sj.SlidingToken()].map(String)) {
      expect(() => new sj.UntypedToken(raw)).not.to.throw();
    }
  });

  it('still checks signature, exp and jti', () => {
    const { sj, clock } = makeSJ();
    const other = new SimpleJWT({ signingKey: 'a-completely-different-secret-value' });
    expect(() => new sj.UntypedToken(String(new other.RefreshToken()))).to.throw(TokenError, 'Token is invalid');
    const raw = String(new sj.AccessToken());
    const noJti = new sj.AccessToken();
    noJti.delete('jti');
    expect(() => new sj.UntypedToken(String(noJti))).to.throw(TokenError, 'Token has no id');
    clock.advance(301);
    expect(() => new sj.UntypedToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
  });

  it('has type untyped and lifetime 0', () => {
    const { sj } = makeSJ();
    expect(sj.UntypedToken.tokenType).to.equal('untyped');
    const token = new sj.UntypedToken();
    expect(token.get('exp')).to.equal(token.get('iat'));
  });
});
