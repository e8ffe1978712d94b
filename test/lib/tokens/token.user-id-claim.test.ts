import { expect } from 'chai';
import { TokenError } from '../../../lib';
import { appsOnMemoryDatabase, makeSJ } from '../../helpers/fixtures';

// With the apps on, refresh and sliding tokens are recorded with their user id, so the
// claim must fit the user_id column; a Django service's tokens carry integer ids (Simple
// JWT keeps them as numbers), and a token may carry a null one: both are accepted.
describe('the user id claim of a recorded token (apps on)', () => {
  function signed(options: Parameters<typeof makeSJ>[0], userId: unknown): { sj: ReturnType<typeof makeSJ>['sj']; raw: string } {
    const { sj } = makeSJ(options);
    const token = new sj.RefreshToken();
    token.set('user_id', userId);
    return { sj, raw: String(token) };
  }

  for (const [label, userId] of [
    ['an integer (a Django-minted token)', 42],
    ['null', null],
    ['a string', 'c0ffee'],
  ] as const) {
    it(`accepts ${label}`, () => {
      const { sj, raw } = signed(appsOnMemoryDatabase(), userId);
      expect(new sj.RefreshToken(raw).get('user_id')).to.equal(userId);
    });
  }

  it('refuses one the column cannot take (an object, a boolean, an empty or over-long string): Token is invalid', () => {
    for (const userId of [{ id: 1 }, true, '', 'x'.repeat(256)]) {
      const { sj, raw } = signed(appsOnMemoryDatabase(), userId);
      expect(() => new sj.RefreshToken(raw), JSON.stringify(userId)).to.throw(TokenError, 'Token is invalid');
    }
  });

  it('with only one of the apps on, the same', () => {
    for (const apps of [{ blacklist: true }, { tokenFamily: true }]) {
      const { sj, raw } = signed({ ...appsOnMemoryDatabase(), apps }, { id: 1 });
      expect(() => new sj.RefreshToken(raw), JSON.stringify(apps)).to.throw(TokenError, 'Token is invalid');
      const ok = signed({ ...appsOnMemoryDatabase(), apps }, 42);
      expect(new ok.sj.RefreshToken(ok.raw).get('user_id')).to.equal(42);
    }
  });

  it('with the apps off, or on an access token (never recorded), any user id claim is left to the user lookup', () => {
    const off = signed({}, { id: 1 });
    expect(new off.sj.RefreshToken(off.raw).get('user_id')).to.deep.equal({ id: 1 });
    const { sj } = makeSJ(appsOnMemoryDatabase());
    const access = new sj.AccessToken();
    access.set('user_id', { id: 1 });
    expect(new sj.AccessToken(String(access)).get('user_id')).to.deep.equal({ id: 1 });
  });
});
