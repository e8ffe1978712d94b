/**
 * The `isRevoked` setting over HTTP (issue #23: one documented hook on
 * revocation, as express-jwt's): its answer decides for the strategy (a
 * protected route) and for the refresh view alike; a throwing hook is a bug
 * (500, through the app's error middleware for the strategy), a rejection
 * that is an outage a 503.
 */
import { expect } from 'chai';
import express, { type ErrorRequestHandler } from 'express';
import Passport from 'passport';
import request from 'supertest';
import { JWTStrategy, ServerError, errorHandler, jwtAuth, tokenRouter, type IsRevoked, type PresentedToken } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { ROTATING_FAMILY_OPTIONS, expect401, pairFor } from '../helpers/app';

const PROTECTED = '/api/me/';
const REFRESH = '/api/token/refresh/';

type Mode = 'pass' | 'revoke' | 'throw' | 'outage' | 'hang';

describe('the isRevoked setting over HTTP: the strategy and the refresh', () => {
  const openDatabase = useTestDatabase();

  async function setup() {
    const db = await openDatabase();
    let mode: Mode = 'pass';
    const seen: Array<{ type: unknown; path: string | undefined }> = [];
    const isRevoked: IsRevoked = async (token: PresentedToken, state, req) => {
      seen.push({ type: token.get('token_type'), path: req?.originalUrl });
      if (mode === 'throw') throw new Error('the deny list has a bug');
      if (mode === 'hang') return new Promise<boolean>(() => undefined);
      if (mode === 'outage') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
      return mode === 'revoke' || state.blacklisted || state.familyBlacklisted;
    };
    const { sj } = makeSJ({ sequelize: db.sequelize, ...ROTATING_FAMILY_OPTIONS, tokenFamilyCheckOnAccess: true, storageTimeout: 0.5, isRevoked });
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(sj));
    const errors: unknown[] = [];
    const app = express();
    app.use('/api/token/', tokenRouter(sj));
    app.get(PROTECTED, jwtAuth('passport-simplejwt', { passport }), (req, res) => {
      res.json({ id: (req.user as TestUser).id });
    });
    const spy: ErrorRequestHandler = (err, _req, _res, next) => {
      errors.push(err);
      next(err);
    };
    app.use(spy, errorHandler({ logger: { error: () => undefined, warn: () => undefined } }));
    const pair = await pairFor(sj);
    return { sj, app, pair, errors, seen, setMode: (next: Mode) => (mode = next) };
  }

  it('not revoked: the protected route and the refresh answer 200; the hook saw each token and its request', async () => {
    const { app, pair, seen } = await setup();
    expect((await request(app).get(PROTECTED).set('Authorization', `Bearer ${pair.access}`)).status).to.equal(200);
    expect((await request(app).post(REFRESH).send({ refresh: pair.refresh })).status).to.equal(200);
    expect(seen).to.deep.equal([
      { type: 'access', path: PROTECTED },
      { type: 'refresh', path: REFRESH },
    ]);
  });

  it('revoked by the hook alone: 401 on the protected route, the refresh and the verify view (not reuse: the family stays usable)', async () => {
    const { sj, app, pair, setMode } = await setup();
    setMode('revoke');
    const denied = await request(app).get(PROTECTED).set('Authorization', `Bearer ${pair.access}`);
    expect(denied.status).to.equal(401);
    expect(denied.body.messages.map((m: { message: string }) => m.message)).to.deep.equal(['Token is revoked']);
    expect401(await request(app).post(REFRESH).send({ refresh: pair.refresh }), 'Token is revoked');
    expect401(await request(app).post('/api/token/verify/').send({ token: pair.access }), 'Token is revoked');
    expect(await sj.revocation.isFamilyBlacklisted(new sj.RefreshToken(pair.refresh).getFamilyId()!)).to.equal(false);
    setMode('pass');
    expect((await request(app).post(REFRESH).send({ refresh: pair.refresh })).status).to.equal(200);
  });

  it('a token that decodes as no class: 401 "Given token not valid for any token type" on the protected route, the hook never asked', async () => {
    const { app, pair, seen } = await setup();
    const forged = `${pair.access.slice(0, -4)}AAAA`;
    const res = await request(app).get(PROTECTED).set('Authorization', `Bearer ${forged}`);
    expect(res.status).to.equal(401);
    expect(res.body.detail).to.equal('Given token not valid for any token type');
    expect(res.body.messages.map((m: { message: string }) => m.message)).to.deep.equal(['Token is invalid']);
    expect(seen).to.deep.equal([]);
  });

  it('a throwing hook: 500 through next(err) on the protected route, 500 on the refresh; never a pass', async () => {
    const { app, pair, errors, setMode } = await setup();
    setMode('throw');
    const res = await request(app).get(PROTECTED).set('Authorization', `Bearer ${pair.access}`);
    expect(res.status).to.equal(500);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.be.instanceOf(ServerError);
    expect((errors[0] as Error).cause).to.have.property('message', 'the deny list has a bug');
    expect((await request(app).post(REFRESH).send({ refresh: pair.refresh })).status).to.equal(500);
  });

  it('a hook rejecting with an outage: 503 on the protected route and on the refresh', async () => {
    const { app, pair, setMode } = await setup();
    setMode('outage');
    expect((await request(app).get(PROTECTED).set('Authorization', `Bearer ${pair.access}`)).status).to.equal(503);
    expect((await request(app).post(REFRESH).send({ refresh: pair.refresh })).status).to.equal(503);
  });

  it('a hook that never answers: 503 once storageTimeout is up, on the protected route and on the refresh', async () => {
    const { app, pair, setMode } = await setup();
    setMode('hang');
    expect((await request(app).get(PROTECTED).set('Authorization', `Bearer ${pair.access}`)).status).to.equal(503);
    expect((await request(app).post(REFRESH).send({ refresh: pair.refresh })).status).to.equal(503);
  });

  it('without any app or family (nothing stored to ask), the hook still decides every request of an access token', async () => {
    const revoked = new Set<string>();
    const isRevoked: IsRevoked = (token) => revoked.has(token.jti());
    const { sj } = makeSJ({ isRevoked });
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(sj));
    const app = express();
    app.get(PROTECTED, jwtAuth('passport-simplejwt', { passport }), (req, res) => res.json({ id: (req.user as TestUser).id }));
    app.use(errorHandler());
    const access = await sj.AccessToken.forUser({ id: 1 });
    expect(
      (
        await request(app)
          .get(PROTECTED)
          .set('Authorization', `Bearer ${String(access)}`)
      ).status,
    ).to.equal(200);
    revoked.add(access.jti());
    const denied = await request(app)
      .get(PROTECTED)
      .set('Authorization', `Bearer ${String(access)}`);
    expect(denied.status).to.equal(401);
    expect(denied.body.messages.map((m: { message: string }) => m.message)).to.deep.equal(['Token is revoked']);
  });
});
