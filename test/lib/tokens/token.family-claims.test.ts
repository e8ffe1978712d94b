import { expect } from 'chai';
import { TokenError } from '../../../lib';
import { appsOnMemoryDatabase, makeSJ } from '../../helpers/fixtures';

// The family claims as the checks read them. No storage is reached: the family
// app is on over an in-memory database that has no tables.
describe('Token: the family claims (family_id, family_exp) as the family checks read them', () => {
  function familySJ() {
    return makeSJ({ ...appsOnMemoryDatabase(), tokenFamilyEnabled: true, tokenFamilyLifetime: 60 });
  }

  it('getFamilyId(): a non-empty string, else null (an empty id is no family)', () => {
    const { sj } = familySJ();
    const token = new sj.RefreshToken();
    expect(token.getFamilyId()).to.equal(null);
    for (const none of ['', 7, null, ['f']]) {
      token.set('family_id', none);
      expect(token.getFamilyId(), JSON.stringify(none)).to.equal(null);
    }
    token.set('family_id', 'f'.repeat(32));
    expect(token.getFamilyId()).to.equal('f'.repeat(32));
  });

  it('blacklistFamily() of a token whose family id is empty: Token has no family ID', async () => {
    const { sj } = familySJ();
    const token = new sj.RefreshToken();
    token.set('family_id', '');
    const err = await token.blacklistFamily().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TokenError).with.property('message', 'Token has no family ID');
  });

  it('getFamilyExpirationDate(): a finite number of seconds, else null', () => {
    const { sj } = familySJ();
    const token = new sj.RefreshToken();
    for (const none of ['2000000000', Infinity, NaN, null]) {
      token.set('family_exp', none);
      expect(token.getFamilyExpirationDate(), String(none)).to.equal(null);
    }
    token.set('family_exp', 2_000_000_000);
    expect(token.getFamilyExpirationDate()!.getTime()).to.equal(2_000_000_000_000);
  });

  it('checkFamilyExp(): a family without family_exp never expires', () => {
    const { sj, clock } = makeSJ({ ...appsOnMemoryDatabase(), tokenFamilyEnabled: true, tokenFamilyLifetime: null });
    const token = new sj.RefreshToken();
    token.set('family_id', 'f'.repeat(32));
    const raw = String(token);
    clock.advance(3600);
    expect(() => new sj.RefreshToken(raw)).not.to.throw();
    expect(() => token.checkFamilyExp()).not.to.throw();
  });

  it('checkFamilyExp(): a token without a family has no family to expire, whatever family_exp says', () => {
    const { sj } = familySJ();
    const token = new sj.RefreshToken();
    token.set('family_exp', 1);
    expect(() => token.checkFamilyExp()).not.to.throw();
    token.set('family_id', 'f'.repeat(32));
    expect(() => token.checkFamilyExp()).to.throw(TokenError, 'Token family has expired');
  });

  it('checkFamilyExp(): a family_exp that is not a number is an expired family', () => {
    const { sj } = familySJ();
    const token = new sj.RefreshToken();
    token.set('family_id', 'f'.repeat(32)).set('family_exp', '99999999999');
    expect(() => token.checkFamilyExp()).to.throw(TokenError, 'Token family has expired');
    expect(() => new sj.RefreshToken(String(token))).to.throw(TokenError);
  });

  it('checkFamilyBlacklist() of a token without a family asks no storage', async () => {
    const { sj } = makeSJ();
    await new sj.RefreshToken().checkFamilyBlacklist();
  });
});

describe('Token: a null tokenTypeClaim or jtiClaim', () => {
  it('adds no claim for it (not even one named "null") and is not checked for it', () => {
    const { sj } = makeSJ({ tokenTypeClaim: null, jtiClaim: null });
    const token = new sj.RefreshToken();
    expect(Object.keys(token.payload).sort()).to.deep.equal(['exp', 'iat']);
    expect(() => token.verifyTokenType()).not.to.throw();
    token.setJti();
    expect(Object.keys(token.payload).sort()).to.deep.equal(['exp', 'iat']);
  });

  it('new Token(null) is a new token, as new Token()', () => {
    const { sj } = makeSJ();
    const token = new sj.AccessToken(null);
    expect(token.token).to.equal(null);
    expect(token.get('token_type')).to.equal('access');
  });
});
