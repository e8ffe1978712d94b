import { expect } from 'chai';
import { ExpiredTokenError, TokenError } from '../../../lib';
import { VerifiedTokenCache, VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH } from '../../../lib/backend/verified-token-cache';
import { makeSJ } from '../../helpers/fixtures';

function accessFor(sj: ReturnType<typeof makeSJ>['sj'], userId = '1'): string {
  const access = new sj.AccessToken();
  access.set('user_id', userId);
  return String(access);
}

describe('verified tokens are remembered, their times are not', () => {
  it('a token seen before still expires on the clock, with the leeway', () => {
    const { sj, clock } = makeSJ({ leeway: 10 });
    const raw = accessFor(sj);
    new sj.AccessToken(raw);
    new sj.AccessToken(raw);
    clock.advance(5 * 60 + 5); // past exp, inside the leeway
    expect(new sj.AccessToken(raw).get('user_id')).to.equal('1');
    clock.advance(5);
    expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
  });

  it('a token seen before whose iat is now in the future beyond the leeway is refused (the clock went back)', () => {
    const { sj, clock } = makeSJ({ leeway: 10 });
    const raw = accessFor(sj);
    new sj.AccessToken(raw);
    clock.advance(-10); // iat is now + 10: inside the leeway
    expect(new sj.AccessToken(raw).get('user_id')).to.equal('1');
    clock.advance(-1);
    expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
  });

  it('a remembered token is still refused by another instance, another key, or once altered', () => {
    const { sj } = makeSJ();
    const other = makeSJ({ signingKey: 'another-secret-of-enough-length-0123456789abcdef' }).sj;
    const raw = accessFor(sj);
    new sj.AccessToken(raw);
    expect(() => new other.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
    const [header, payload, signature] = raw.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, user_id: '2' })).toString('base64url'), signature].join('.');
    expect(() => new sj.AccessToken(forged)).to.throw(TokenError, 'Token is invalid');
  });

  it('hands out a fresh copy: changing one token does not change the next decode', () => {
    const { sj } = makeSJ();
    const raw = accessFor(sj);
    const first = new sj.AccessToken(raw);
    first.set('user_id', 'mallory');
    first.set('__proto__', { admin: true });
    const second = new sj.AccessToken(raw);
    expect(second.get('user_id')).to.equal('1');
    expect(second.has('__proto__')).to.equal(false);
  });

  it('stays within its bounds: oldest entries go first, long tokens are not kept', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', { exp: 1 });
    cache.set('b', { exp: 1 });
    cache.set('c', { exp: 1 });
    expect([cache.get('a'), cache.size]).to.deep.equal([undefined, 2]);
    expect(cache.get('c')).to.deep.equal({ exp: 1 });
    const long = 'x'.repeat(VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH + 1);
    cache.set(long, { exp: 1 });
    expect([cache.get(long), cache.get('c'), cache.size]).to.deep.equal([undefined, { exp: 1 }, 2]);
    // The longest token kept is exactly the limit.
    const longest = 'y'.repeat(VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH);
    cache.set(longest, { exp: 2 });
    expect(cache.get(longest)).to.deep.equal({ exp: 2 });
  });

  it('holds as many tokens as it is sized for: the last maxEntries are all remembered', () => {
    const cache = new VerifiedTokenCache(4);
    for (const token of ['a', 'b', 'c', 'd']) cache.set(token, { exp: 1 });
    expect(['a', 'b', 'c', 'd'].map((token) => cache.get(token))).to.deep.equal([{ exp: 1 }, { exp: 1 }, { exp: 1 }, { exp: 1 }]);
    cache.set('e', { exp: 1 });
    cache.set('f', { exp: 1 });
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((token) => cache.get(token) !== undefined)).to.deep.equal([false, false, true, true, true, true]);
  });

  it('delete() forgets a token in either generation', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('older', { exp: 1 });
    cache.set('newer', { exp: 1 }); // 'older' is now in the previous generation
    cache.delete('older');
    cache.delete('newer');
    expect([cache.get('older'), cache.get('newer'), cache.size]).to.deep.equal([undefined, undefined, 0]);
  });

  it('an expired token is dropped from the memory when it is refused', () => {
    const { sj, clock } = makeSJ();
    const raw = accessFor(sj);
    new sj.AccessToken(raw);
    new sj.AccessToken(raw); // remembered at the second verification
    const memory = (sj.backend as unknown as { ring: { verified: VerifiedTokenCache } }).ring.verified;
    expect(memory.get(raw)).not.to.equal(undefined);
    clock.advance(5 * 60);
    expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
    expect(memory.get(raw)).to.equal(undefined);
  });
});
