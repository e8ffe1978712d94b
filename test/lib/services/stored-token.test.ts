/**
 * The one place a token becomes the value storage records (issue #23):
 * `storedToken()`, and the one rule for user ids in storage, `storedUserId()`.
 */
import { expect } from 'chai';
import { storedToken, storedUserId } from '../../../lib/services/stored-token';
import { makeSJ } from '../../helpers/fixtures';

describe('storedToken() and storedUserId(): what storage receives', () => {
  it('storedUserId: null for none (absent or null), else the string of the id', () => {
    expect(storedUserId(undefined)).to.equal(null);
    expect(storedUserId(null)).to.equal(null);
    expect(storedUserId(42)).to.equal('42');
    expect(storedUserId('42')).to.equal('42');
    expect(storedUserId('')).to.equal('');
    expect(storedUserId('0b5c3f0e-8c1c-4d0e-9a55-0c3cbe3f7a11')).to.equal('0b5c3f0e-8c1c-4d0e-9a55-0c3cbe3f7a11');
  });

  it('a new refresh token of a family: jti, user id as a string, family id, the string the client gets, its times', () => {
    const { sj } = makeSJ({ userIdClaim: 'uid' });
    const token = new sj.RefreshToken();
    token.set('uid', 7);
    token.set('family_id', 'f'.repeat(32));
    const encoded = String(token);
    const exp = token.get<number>('exp')!;
    const decoded = new sj.RefreshToken(encoded);
    expect(storedToken(decoded)).to.deep.equal({
      jti: decoded.jti(),
      userId: '7',
      familyId: 'f'.repeat(32),
      token: encoded,
      createdAt: decoded.currentTime,
      expiresAt: new Date(exp * 1000),
    });
  });

  it('a token without a user id or a family: both null; without a numeric exp: a TypeError', () => {
    const { sj } = makeSJ();
    const token = new sj.RefreshToken();
    expect(storedToken(token)).to.include({ userId: null, familyId: null });
    token.set('exp', '2999999999');
    expect(() => storedToken(token)).to.throw(TypeError, "passport-simplejwt: cannot record a token without a numeric 'exp' claim");
  });
});
