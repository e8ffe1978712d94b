import { expect } from 'chai';
import { VerifiedTokenCache } from '../../../lib/backend/verified-token-cache';
import { makeSJ } from '../../helpers/fixtures';

// Issue #25: a token is remembered when it is verified a second time; one-off tokens (an API
// serving many clients) cost no entry and keep no claims alive.

/** The instance's verified-token memory (private to the backend). */
function memoryOf(sj: ReturnType<typeof makeSJ>['sj']): VerifiedTokenCache {
  return (sj.backend as unknown as { ring: { verified: VerifiedTokenCache } }).ring.verified;
}

describe('the verified-token memory admits a token at its second verification (#25)', () => {
  it('admit(): a first sighting stores nothing, the second stores the claims', () => {
    const cache = new VerifiedTokenCache();
    cache.admit('header.payload.signatureAAAA', { exp: 1 });
    expect(cache.size).to.equal(0);
    cache.admit('header.payload.signatureAAAA', { exp: 1 });
    expect([cache.size, cache.get('header.payload.signatureAAAA')]).to.deep.equal([1, { exp: 1 }]);
    cache.admit('header.payload.signatureBBBB', { exp: 2 });
    expect(cache.size).to.equal(1);
  });

  it('through the backend: decoded once, not remembered; twice, remembered; a third decode reads the memory', () => {
    const { sj } = makeSJ();
    const raw = String(new sj.AccessToken());
    new sj.AccessToken(raw);
    expect(memoryOf(sj).size).to.equal(0);
    new sj.AccessToken(raw);
    expect(memoryOf(sj).size).to.equal(1);
    expect(memoryOf(sj).get(raw)?.jti).to.equal(new sj.AccessToken(raw).get('jti'));
  });

  it('many distinct tokens, each seen once, leave the memory empty', () => {
    const { sj } = makeSJ();
    for (let i = 0; i < 200; i++) new sj.AccessToken(String(new sj.AccessToken()));
    expect(memoryOf(sj).size).to.equal(0);
  });
});
