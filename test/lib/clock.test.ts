import { expect } from 'chai';
import { ExpiredTokenError } from '../../lib';
import { makeSJ } from '../helpers/fixtures';

describe('the injected clock', () => {
  it('decides expiry for decoding too, not only for new claims', async () => {
    const { sj, clock } = makeSJ();
    const access = new sj.AccessToken();
    access.set('user_id', '1');
    const raw = String(access);
    expect(() => new sj.AccessToken(raw)).not.to.throw();
    clock.advance(5 * 60);
    expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
  });
});
