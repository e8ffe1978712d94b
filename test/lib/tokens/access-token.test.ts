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

  it('the bound class keeps its name (it appears in the strategy messages)', () => {
    const { sj } = makeSJ();
    expect(sj.AccessToken.name).to.equal('AccessToken');
    expect(sj.RefreshToken.name).to.equal('RefreshToken');
    expect(sj.SlidingToken.name).to.equal('SlidingToken');
    expect(sj.UntypedToken.name).to.equal('UntypedToken');
  });
});
