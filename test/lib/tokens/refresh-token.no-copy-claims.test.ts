import { expect } from 'chai';
import request from 'supertest';
import { tokenRefreshRouter } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';
import { appWith } from '../../helpers/app';

// Simple JWT's RefreshToken.no_copy_claims: the type claim, exp, the jti claim and 'jti';
// here iat too (the access token gets its own). Every other claim is copied.
describe('RefreshToken.noCopyClaims: what an access token made from a refresh token does not inherit', () => {
  it("with tokenTypeClaim and jtiClaim null, still 'token_type' and 'jti' (a third party's claims of those names)", () => {
    const { sj } = makeSJ({ tokenTypeClaim: null, jtiClaim: null });
    const refresh = new sj.RefreshToken();
    expect(refresh.noCopyClaims).to.deep.equal(['token_type', 'exp', 'jti', 'jti', 'iat']);
    refresh.set('token_type', 'refresh').set('jti', 'f'.repeat(32)).set('scope', 'read');
    const access = refresh.accessToken;
    expect(Object.keys(access.payload).sort()).to.deep.equal(['exp', 'iat', 'scope']);
  });

  it('over HTTP: the refreshed access token has its own type, jti, iat and exp, and the custom claims', async () => {
    const { sj, clock } = makeSJ();
    const app = appWith(tokenRefreshRouter(sj), '/api/token/refresh/');
    const refresh = await sj.RefreshToken.forUser({ id: 1 });
    refresh.set('scope', 'read write');
    const raw = String(refresh);
    clock.advance(600);
    const res = await request(app).post('/api/token/refresh/').send({ refresh: raw });
    expect(res.status).to.equal(200);
    const access = new sj.AccessToken(res.body.access);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(access.payload).to.deep.include({ token_type: 'access', user_id: '1', scope: 'read write', iat: now, exp: now + 300 });
    expect(access.get('jti'))
      .to.match(/^[0-9a-f]{32}$/)
      .and.not.equal(refresh.get('jti'));
    expect(Object.keys(access.payload).sort()).to.deep.equal(['exp', 'iat', 'jti', 'scope', 'token_type', 'user_id']);
  });
});
