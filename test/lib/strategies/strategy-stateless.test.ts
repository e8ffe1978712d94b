import { expect } from 'chai';
import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { JWTStatelessStrategy, SimpleJWT, TokenUser, errorHandler, jwtAuth, type JWTAuthInfo } from '../../../lib';
import { SECRET } from '../../helpers/fixtures';
import { appWith } from '../../helpers/http';
import { Clock } from '../../helpers/fixtures';

function make(options: Record<string, unknown> = {}) {
  const clock = new Clock();
  return { sj: new SimpleJWT({ signingKey: SECRET, now: clock.now, ...options }), clock };
}

describe('JWTStatelessStrategy', () => {
  it('needs no user store: req.user is a TokenUser built from the claims', async () => {
    const { sj } = make();
    const token = new sj.AccessToken();
    token.set('user_id', '42').set('username', 'zoe').set('is_staff', true).set('email', 'zoe@example.com');
    const passport = new Passport();
    passport.use(new JWTStatelessStrategy(sj));
    const app = express();
    app.get('/me', jwtAuth('passport-simplejwt-stateless', { passport }), (req, res) => {
      const user = req.user as TokenUser;
      res.json({
        isTokenUser: user instanceof TokenUser,
        id: user.id,
        username: user.username,
        isStaff: user.isStaff,
        email: user.email,
        text: String(user),
        sameToken: (req.authInfo as JWTAuthInfo).token.get('jti') === token.get('jti'),
        json: user,
      });
    });
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({
      isTokenUser: true,
      id: '42',
      username: 'zoe',
      isStaff: true,
      email: 'zoe@example.com',
      text: 'TokenUser 42',
      sameToken: true,
      json: { id: '42', username: 'zoe', isStaff: true, isSuperuser: false },
    });
  });

  it('a token without the user id claim: 401 token_not_valid', async () => {
    const { sj } = make();
    const res = await request(appWith(new JWTStatelessStrategy(sj)))
      .get('/me')
      .set('Authorization', `Bearer ${new sj.AccessToken()}`);
    expect(res.status).to.equal(401);
    expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
    expect(res.body).to.deep.equal({ detail: 'Token contained no recognizable user identification', code: 'token_not_valid' });
  });

  it('an expired token: 401 with messages', async () => {
    const { sj, clock } = make();
    const token = new sj.AccessToken();
    token.set('user_id', '1');
    clock.advance(400);
    const res = await request(appWith(new JWTStatelessStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).to.equal(401);
    expect(res.body.messages).to.deep.equal([{ token_class: 'AccessToken', token_type: 'access', message: 'Token is expired' }]);
  });

  it('builds tokenUserClass when set, and honours the name option', async () => {
    class ApiUser extends TokenUser {
      get plan(): string {
        return String(this.token instanceof Object && 'get' in this.token ? (this.token as { get(k: string): unknown }).get('plan') : 'none');
      }
    }
    const { sj } = make({ tokenUserClass: ApiUser, userIdClaim: 'sub' });
    const token = new sj.AccessToken();
    token.set('sub', 'u-1').set('plan', 'pro');
    const passport = new Passport();
    passport.use(new JWTStatelessStrategy(sj, { name: 'stateless' }));
    const app = express();
    app.get('/me', passport.authenticate('stateless', { session: false }), (req, res) => {
      const user = req.user as ApiUser;
      res.json({ apiUser: user instanceof ApiUser, id: user.id, plan: user.plan });
    });
    app.use(errorHandler());
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.body).to.deep.equal({ apiUser: true, id: 'u-1', plan: 'pro' });
  });
});
