import { expect } from 'chai';
import { ExpiredTokenError, SimpleJWT, TokenError, type SimpleJWTOptions } from '../../../lib';
import { Clock, SECRET } from '../../helpers/fixtures';

// Each token here is decoded for the first time at the instant under test:
// the first two decodes verify the token in full (it is remembered at the
// second, issue #25), later ones read the verified-token cache, and both
// must draw the same line.

function make(options: Partial<SimpleJWTOptions> = {}) {
  const clock = new Clock();
  return { sj: new SimpleJWT({ signingKey: SECRET, now: clock.now, ...options }), clock };
}

/** A token whose clock reads `offset` seconds after it was issued (the access lifetime is 300 s). */
function freshAt(options: Partial<SimpleJWTOptions>, offset: number, edit?: (token: InstanceType<SimpleJWT['AccessToken']>) => void) {
  const { sj, clock } = make(options);
  const token = new sj.AccessToken();
  edit?.(token);
  const raw = String(token);
  clock.advance(offset);
  return { sj, raw, clock };
}

describe('TokenBackend: exp and nbf on the first decode of a token', () => {
  for (const [leeway, seconds] of [
    [undefined, 0],
    ['30s', 30],
    [5, 5],
  ] as const) {
    const options: Partial<SimpleJWTOptions> = leeway === undefined ? {} : { leeway };
    describe(`leeway ${seconds}s`, () => {
      it('accepts a never-seen token one second before exp + leeway', () => {
        const { sj, raw } = freshAt(options, 300 + seconds - 1);
        expect(() => new sj.AccessToken(raw)).not.to.throw();
      });

      it('refuses a never-seen token at exactly exp + leeway, and again from the cache', () => {
        const { sj, raw } = freshAt(options, 300 + seconds);
        expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
        expect(() => new sj.AccessToken(raw)).to.throw(ExpiredTokenError, 'Token is expired');
      });

      it('refuses a token whose nbf is more than leeway ahead, on the first decode and once cached', () => {
        const { sj, raw, clock } = freshAt(options, 0, (t) => t.set('nbf', Number(t.get('iat')) + seconds + 1));
        expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
        clock.advance(1); // nbf - leeway: valid from now on
        expect(() => new sj.AccessToken(raw)).not.to.throw();
        expect(() => new sj.AccessToken(raw)).not.to.throw(); // remembered at its second verification (#25)
        expect(() => new sj.AccessToken(raw), 'from the memory').not.to.throw();
      });

      it('accepts a never-seen token whose nbf is exactly leeway ahead; the cached path agrees', () => {
        const { sj, raw, clock } = freshAt(options, 0, (t) => t.set('nbf', Number(t.get('iat')) + seconds));
        expect(() => new sj.AccessToken(raw)).not.to.throw();
        expect(() => new sj.AccessToken(raw)).not.to.throw(); // remembered at its second verification (#25)
        expect(() => new sj.AccessToken(raw), 'from the memory').not.to.throw();
        clock.advance(-1); // a clock that steps back: the cached claims are checked again
        expect(() => new sj.AccessToken(raw)).to.throw(TokenError, 'Token is invalid');
      });
    });
  }
});
