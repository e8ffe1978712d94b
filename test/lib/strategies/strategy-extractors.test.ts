import { expect } from 'chai';
import express, { type Express } from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { ExtractJwt, JWTStatelessStrategy, JWTStrategy, errorHandler, jwtAuth, type JWTStrategyOptions } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' };

async function setup(options: JWTStrategyOptions, stateless = false) {
  const fixture = makeSJ();
  const raw = String(await fixture.sj.AccessToken.forUser(fixture.users.users.get('1')!));
  const passport = new Passport();
  passport.use(stateless ? new JWTStatelessStrategy(fixture.sj, options) : new JWTStrategy(fixture.sj, options));
  const name = stateless ? 'passport-simplejwt-stateless' : 'passport-simplejwt';
  const app: Express = express();
  app.use(express.json());
  const guard = jwtAuth(name, { passport });
  app.get('/me', guard, (req, res) => res.json({ id: String((req.user as { id: unknown }).id) }));
  app.post('/me', guard, (req, res) => res.json({ id: String((req.user as { id: unknown }).id) }));
  app.use(errorHandler());
  return { ...fixture, raw, app };
}

function expectUser(res: request.Response): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  expect(res.body).to.deep.equal({ id: '1' });
}

function expectNotProvided(res: request.Response): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(401);
  expect(res.body).to.deep.equal(NOT_PROVIDED);
  expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
}

describe('strategies: jwtFromRequest and ExtractJwt', () => {
  it('fromHeader: the named header (any case), as it is', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromHeader('X-Api-Token') });
    expectUser(await request(app).get('/me').set('x-api-token', raw));
    expectNotProvided(await request(app).get('/me').set('Authorization', `Bearer ${raw}`));
  });

  it('fromAuthHeaderWithScheme: the token after the scheme, compared case-insensitively (passport-jwt)', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromAuthHeaderWithScheme('JWT') });
    expectUser(await request(app).get('/me').set('Authorization', `JWT ${raw}`));
    expectUser(await request(app).get('/me').set('Authorization', `jwt   ${raw}`));
    expectNotProvided(await request(app).get('/me').set('Authorization', `Bearer ${raw}`));
    expectNotProvided(await request(app).get('/me').set('Authorization', `JWT ${raw} extra`));
  });

  it('fromAuthHeaderAsBearerToken: Authorization: Bearer <token>', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken() });
    expectUser(await request(app).get('/me').set('Authorization', `Bearer ${raw}`));
    expectNotProvided(await request(app).get('/me').set('Authorization', `Basic ${raw}`));
    expectNotProvided(await request(app).get('/me'));
  });

  it('fromBodyField: a string field of the parsed body; anything else is no token', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromBodyField('token') });
    expectUser(await request(app).post('/me').send({ token: raw }));
    expectNotProvided(
      await request(app)
        .post('/me')
        .send({ token: [raw] }),
    );
    expectNotProvided(await request(app).post('/me').send({ other: raw }));
    expectNotProvided(await request(app).post('/me').send([raw]));
  });

  it('fromUrlQueryParameter: the first value of the query parameter', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromUrlQueryParameter('access_token') });
    expectUser(await request(app).get(`/me?access_token=${raw}`));
    expectUser(await request(app).get(`/me?a=1&access_token=${raw}&access_token=x`));
    expectNotProvided(await request(app).get(`/me?token=${raw}`));
  });

  it('fromCookie: the named cookie; GET passes, an unsafe method needs the CSRF check', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromCookie('jwt') });
    expectUser(await request(app).get('/me').set('Cookie', `other=1; jwt=${raw}`));
    expectNotProvided(await request(app).get('/me').set('Cookie', `other=${raw}`));
    const post = await request(app).post('/me').set('Cookie', `jwt=${raw}`);
    expect(post.status).to.equal(403);
    expect(post.body).to.deep.equal({ detail: 'CSRF Failed: CSRF cookie not set.', code: 'csrf_failed' });
    expectUser(await request(app).post('/me').set('Cookie', `jwt=${raw}; csrftoken=abc`).set('X-CSRFToken', 'abc'));
  });

  it('fromCookie reads req.cookies when the app runs cookie-parser (a pure function of the request)', () => {
    const extract = ExtractJwt.fromCookie('jwt');
    expect(extract({ headers: {}, cookies: { jwt: 'from-parser' } } as unknown as express.Request)).to.equal('from-parser');
    expect(extract({ headers: { cookie: 'jwt=from-header' } } as unknown as express.Request)).to.equal('from-header');
    expect(extract({ headers: {} } as unknown as express.Request)).to.equal(null);
  });

  it('fromExtractors: the first extractor that finds a token wins, in order', async () => {
    const { app, raw } = await setup({
      jwtFromRequest: ExtractJwt.fromExtractors([ExtractJwt.fromHeader('x-first'), ExtractJwt.fromUrlQueryParameter('t')]),
    });
    expectUser(await request(app).get('/me').set('x-first', raw));
    expectUser(await request(app).get(`/me?t=${raw}`));
    // The first one found is used, even when a later one would be valid.
    const res = await request(app).get(`/me?t=${raw}`).set('x-first', 'garbage');
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('token_not_valid');
    expectNotProvided(await request(app).get('/me'));
  });

  it('an extracted token is validated as a header token: same 401 body', async () => {
    const { app } = await setup({ jwtFromRequest: ExtractJwt.fromHeader('x-token') });
    const res = await request(app).get('/me').set('x-token', 'not.a.token');
    expect(res.status).to.equal(401);
    expect(res.body.detail).to.equal('Given token not valid for any token type');
    expect(res.body.code).to.equal('token_not_valid');
    expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
  });

  it('the stateless strategy takes jwtFromRequest too', async () => {
    const { app, raw } = await setup({ jwtFromRequest: ExtractJwt.fromUrlQueryParameter('t') }, true);
    expectUser(await request(app).get(`/me?t=${raw}`));
  });

  it('without jwtFromRequest: the Authorization header as before, a query token is ignored', async () => {
    const { app, raw } = await setup({});
    expectUser(await request(app).get('/me').set('Authorization', `Bearer ${raw}`));
    expectNotProvided(await request(app).get(`/me?access_token=${raw}`));
  });

  describe('bad arguments throw at once, naming the factory', () => {
    for (const [factory, call] of [
      ['fromHeader', () => ExtractJwt.fromHeader('')],
      ['fromBodyField', () => ExtractJwt.fromBodyField(undefined as unknown as string)],
      ['fromUrlQueryParameter', () => ExtractJwt.fromUrlQueryParameter(3 as unknown as string)],
      ['fromAuthHeaderWithScheme', () => ExtractJwt.fromAuthHeaderWithScheme('')],
      ['fromCookie', () => ExtractJwt.fromCookie('')],
    ] as const) {
      it(factory, () => {
        expect(call).to.throw(TypeError, `passport-simplejwt: ExtractJwt.${factory} needs a non-empty string`);
      });
    }

    it('fromExtractors', () => {
      expect(() => ExtractJwt.fromExtractors('x' as unknown as [])).to.throw(
        TypeError,
        'passport-simplejwt: ExtractJwt.fromExtractors needs an array of extractor functions',
      );
      expect(() => ExtractJwt.fromExtractors([1 as unknown as () => null])).to.throw(TypeError, 'fromExtractors needs an array');
    });

    it("the strategy option 'jwtFromRequest'", () => {
      const { sj } = makeSJ();
      expect(() => new JWTStrategy(sj, { jwtFromRequest: 'header' as unknown as () => null })).to.throw(
        TypeError,
        "passport-simplejwt: the strategy option 'jwtFromRequest' must be a function (req) => string | null",
      );
    });
  });
});
