import { expect } from 'chai';
import { TokenError } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

// jti() is the id the blacklist records and looks up: always a string, or TokenError.
describe('Token.jti(): the id storage records', () => {
  it('reads the jtiClaim claim, a number as a string', () => {
    const { sj } = makeSJ({ jtiClaim: 'tid' });
    const token = new sj.RefreshToken();
    expect(token.jti())
      .to.equal(token.get('tid'))
      .and.match(/^[0-9a-f]{32}$/);
    token.set('tid', 42);
    expect(token.jti()).to.equal('42');
  });

  it("with jtiClaim null, reads the 'jti' claim (as Simple JWT's blacklist does)", () => {
    const { sj } = makeSJ({ jtiClaim: null });
    const token = new sj.RefreshToken();
    expect(() => token.jti()).to.throw(TokenError, 'Token has no id');
    token.set('jti', 'abc');
    expect(token.jti()).to.equal('abc');
  });

  it("'Token has no id' for a missing id or one that is neither a string nor a number", () => {
    const { sj } = makeSJ();
    const token = new sj.RefreshToken();
    for (const bad of [null, true, { id: 1 }, ['a']]) {
      token.set('jti', bad);
      expect(() => token.jti(), JSON.stringify(bad)).to.throw(TokenError, 'Token has no id');
    }
    token.delete('jti');
    expect(() => token.jti()).to.throw(TokenError, 'Token has no id');
  });
});
