import { expect } from 'chai';
import { TokenError } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

describe('SlidingToken', () => {
  it('a new one carries refresh_exp = now + slidingTokenRefreshLifetime and exp = now + slidingTokenLifetime', () => {
    const { sj, clock } = makeSJ({ slidingTokenLifetime: '10m', slidingTokenRefreshLifetime: '3d' });
    const token = new sj.SlidingToken();
    expect(token.get('token_type')).to.equal('sliding');
    expect(token.get('exp')).to.equal(epoch(clock.now()) + 600);
    expect(token.get('refresh_exp')).to.equal(epoch(clock.now()) + 3 * 86400);
  });

  it('a decoded one keeps its refresh_exp', () => {
    const { sj, clock } = makeSJ();
    const original = new sj.SlidingToken();
    clock.advance(60);
    const decoded = new sj.SlidingToken(String(original));
    expect(decoded.get('refresh_exp')).to.equal(original.get('refresh_exp'));
  });

  it('uses slidingTokenRefreshExpClaim, and checkExp on it expires with the refresh lifetime', () => {
    const { sj, clock } = makeSJ({ slidingTokenRefreshExpClaim: 'renew_until', slidingTokenLifetime: '1d', slidingTokenRefreshLifetime: '1h' });
    const token = new sj.SlidingToken();
    expect(token.has('refresh_exp')).to.equal(false);
    clock.advance(3600);
    const later = new sj.SlidingToken(String(token));
    expect(() => later.checkExp('renew_until')).to.throw(TokenError, "Token 'renew_until' claim has expired");
  });

  it('is refused as an access token and the reverse', () => {
    const { sj } = makeSJ();
    expect(() => new sj.AccessToken(String(new sj.SlidingToken()))).to.throw(TokenError, 'Token has wrong type');
  });
});
