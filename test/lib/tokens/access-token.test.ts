import { expect } from 'chai';
import { makeSJ } from '../../helpers/fixtures';

describe('AccessToken', () => {
  it('is of type access and lives accessTokenLifetime', () => {
    const { sj } = makeSJ({ accessTokenLifetime: '15m' });
    const token = new sj.AccessToken();
    expect(token.get('token_type')).to.equal('access');
    expect((token.get('exp') as number) - (token.get('iat') as number)).to.equal(900);
    expect(sj.AccessToken.tokenType).to.equal('access');
  });

  it('verify() with the family app off and tokenFamilyCheckOnAccess on does not touch a database', async () => {
    const { sj } = makeSJ({ tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: true });
    const token = new sj.AccessToken(String(new sj.AccessToken()));
    token.set('family_id', 'f'.repeat(32));
    await token.verify();
  });

  it('the bound class keeps its name (it appears in the strategy messages)', () => {
    const { sj } = makeSJ();
    expect(sj.AccessToken.name).to.equal('AccessToken');
    expect(sj.RefreshToken.name).to.equal('RefreshToken');
    expect(sj.SlidingToken.name).to.equal('SlidingToken');
    expect(sj.UntypedToken.name).to.equal('UntypedToken');
  });
});
