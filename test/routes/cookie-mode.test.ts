import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { tokenObtainPairRouter, tokenRefreshRouter, tokenRouter, type CookieModeOptions, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { ROTATING_FAMILY_OPTIONS, appWith, expect401 } from '../helpers/app';
import { cookieHeader, setCookies } from '../helpers/cookies';

const BASE = '/api/token/';
const CREDENTIALS = { username: 'alice', password: 'alice-password' };
const CSRF = 'csrf-secret-of-the-test';

/** The cookies a browser would send after `res`, plus the CSRF cookie the page echoes. */
function sessionOf(res: request.Response, names: string[] = ['access', 'refresh', 'token']): { cookie: string; csrf: string } {
  const set = setCookies(res);
  const jar: Record<string, string> = { csrftoken: CSRF };
  for (const name of names) if (set[name]) jar[name] = set[name].value;
  return { cookie: cookieHeader(jar), csrf: CSRF };
}

function withSession(req: request.Test, session: { cookie: string; csrf: string }): request.Test {
  return req.set('Cookie', session.cookie).set('X-CSRFToken', session.csrf);
}

describe('cookie mode of the token views', () => {
  describe('without the apps', () => {
    function setup(cookies: CookieModeOptions = {}, options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const made = makeSJ(options);
      return { ...made, app: appWith(tokenRouter(made.sj, { cookies })) };
    }

    it('obtain sets access, refresh and CSRF cookies: HttpOnly (not the CSRF one), Secure, SameSite=Lax, Max-Age of the lifetimes; the body is unchanged', async () => {
      const { app } = setup();
      const res = await request(app).post(BASE).send(CREDENTIALS);
      expect(res.status).to.equal(200);
      expect(res.body).to.have.keys('refresh', 'access');
      const set = setCookies(res);
      expect(set).to.have.keys('access', 'refresh', 'csrftoken');
      expect(set.access.value).to.equal(res.body.access);
      expect(set.refresh.value).to.equal(res.body.refresh);
      expect(set.access.attributes).to.include({ 'max-age': '300', path: '/', httponly: '', secure: '', samesite: 'Lax' });
      // The refresh token only travels to the token endpoints.
      expect(set.refresh.attributes).to.include({ 'max-age': '86400', path: BASE, httponly: '', secure: '', samesite: 'Lax' });
      expect(set.csrftoken.attributes).to.include({ path: '/', secure: '', samesite: 'Lax' });
      expect(set.csrftoken.attributes).to.not.have.property('httponly');
      expect(set.csrftoken.value).to.match(/^[\w-]{43}$/);
      expect(res.headers['cache-control']).to.equal('no-store');
    });

    it('each login gets a new CSRF token', async () => {
      const { app } = setup();
      const first = setCookies(await request(app).post(BASE).send(CREDENTIALS)).csrftoken.value;
      const second = setCookies(await request(app).post(BASE).set('Cookie', `csrftoken=${first}`).send(CREDENTIALS)).csrftoken.value;
      expect(second).to.not.equal(first);
    });

    it('omitFromBody: the tokens only in the cookies, the body {}', async () => {
      const { app } = setup({ omitFromBody: true });
      const res = await request(app).post(BASE).send(CREDENTIALS);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
      expect(setCookies(res)).to.have.keys('access', 'refresh', 'csrftoken');
    });

    it('wrong credentials: 401 as before, no cookie', async () => {
      const { app } = setup();
      const res = await request(app).post(BASE).send({ username: 'alice', password: 'nope' });
      expect401(res, 'No active account found with the given credentials', 'no_active_account');
      expect(res.headers['set-cookie']).to.equal(undefined);
    });

    it('names, Domain, Path and refreshPath come from the options', async () => {
      const { app } = setup({ accessCookie: 'at', refreshCookie: 'rt', csrfCookie: 'xsrf', domain: 'example.com', path: '/app/', refreshPath: '/auth/' });
      const set = setCookies(await request(app).post(BASE).send(CREDENTIALS));
      expect(set).to.have.keys('at', 'rt', 'xsrf');
      expect(set.at.attributes).to.include({ domain: 'example.com', path: '/app/' });
      expect(set.rt.attributes).to.include({ domain: 'example.com', path: '/auth/' });
      expect(set.xsrf.attributes).to.include({ domain: 'example.com', path: '/app/' });
    });

    it("sameSite: 'strict'", async () => {
      const { app } = setup({ sameSite: 'strict' });
      const set = setCookies(await request(app).post(BASE).send(CREDENTIALS));
      expect(set.access.attributes.samesite).to.equal('Strict');
    });

    it('secure: false drops Secure for 127.0.0.1 and localhost only; any other host still gets Secure', async () => {
      const { app } = setup({ secure: false });
      for (const host of ['127.0.0.1:8000', 'localhost:3000', '[::1]:8000']) {
        const set = setCookies(await request(app).post(BASE).set('Host', host).send(CREDENTIALS));
        expect(set.access.attributes, host).to.not.have.property('secure');
        expect(set.refresh.attributes, host).to.not.have.property('secure');
      }
      const set = setCookies(await request(app).post(BASE).set('Host', 'app.example.com').send(CREDENTIALS));
      expect(set.access.attributes).to.have.property('secure');
      expect(set.csrftoken.attributes).to.have.property('secure');
    });

    it('refresh reads the refresh cookie when the body has none, and sets a new access cookie', async () => {
      const { app, clock } = setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      clock.advance(60);
      const res = await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.have.keys('access');
      const set = setCookies(res);
      expect(set).to.have.keys('access');
      expect(set.access.value).to.equal(res.body.access).and.to.not.equal(setCookies(login).access.value);
    });

    it('a body token wins over the cookie, and needs no CSRF check (as a header token)', async () => {
      const { app, sj } = setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const other = String(await sj.RefreshToken.forUser({ id: 2, username: 'bob', password: 'bob-password', isActive: true }));
      const res = await request(app)
        .post(`${BASE}refresh/`)
        .set('Cookie', sessionOf(login).cookie)
        .set('Origin', 'https://evil.example')
        .send({ refresh: other });
      expect(res.status).to.equal(200);
      expect(new sj.AccessToken(res.body.access).get('user_id')).to.equal('2');
    });

    it('no body and no cookie: the field errors of SPEC 6', async () => {
      const { app } = setup();
      const res = await request(app).post(`${BASE}refresh/`);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ refresh: ['This field is required.'] });
    });

    it('a bad refresh cookie: 401 token_not_valid, no cookie set', async () => {
      const { app } = setup();
      const res = await withSession(request(app).post(`${BASE}refresh/`), { cookie: `refresh=garbage; csrftoken=${CSRF}`, csrf: CSRF });
      expect401(res, 'Token is invalid');
      expect(res.headers['set-cookie']).to.equal(undefined);
    });

    it('rotation replaces the refresh cookie (same Path) and omitFromBody leaves {}', async () => {
      const { app } = setup({ omitFromBody: true }, { rotateRefreshTokens: true });
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const res = await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login));
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
      const set = setCookies(res);
      expect(set).to.have.keys('access', 'refresh');
      expect(set.refresh.value).to.not.equal(setCookies(login).refresh.value);
      expect(set.refresh.attributes).to.include({ path: BASE, httponly: '' });
    });

    it('verify reads the access cookie', async () => {
      const { app, clock } = setup();
      const session = sessionOf(await request(app).post(BASE).send(CREDENTIALS));
      const res = await withSession(request(app).post(`${BASE}verify/`), session);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
      clock.advance(301);
      expect401(await withSession(request(app).post(`${BASE}verify/`), session), 'Token is expired');
    });

    it('sliding: obtain sets the sliding cookie (Max-Age of the refresh period), refresh reads and replaces it', async () => {
      const { app } = setup({}, { authTokenClasses: ['SlidingToken'] });
      const login = await request(app).post(`${BASE}sliding/`).send(CREDENTIALS);
      expect(login.status).to.equal(200);
      const set = setCookies(login);
      expect(set).to.have.keys('token', 'csrftoken');
      expect(set.token.value).to.equal(login.body.token);
      expect(set.token.attributes).to.include({ 'max-age': '86400', path: '/', httponly: '' });
      const res = await withSession(request(app).post(`${BASE}sliding/refresh/`), sessionOf(login));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(setCookies(res).token.value).to.equal(res.body.token);
    });

    it('the CSRF cookie lasts as long as the longest token cookie: the refresh or the sliding refresh lifetime', async () => {
      for (const [options, maxAge] of [
        [{ refreshTokenLifetime: '2d', slidingTokenRefreshLifetime: '1d' }, '172800'],
        [{ refreshTokenLifetime: '1d', slidingTokenRefreshLifetime: '3d' }, '259200'],
      ] as const) {
        const { app } = setup({}, options);
        const set = setCookies(await request(app).post(BASE).send(CREDENTIALS));
        expect(set.csrftoken.attributes['max-age'], JSON.stringify(options)).to.equal(maxAge);
      }
    });

    it('a view that issues no token sets no cookie: verify of a body token, without any cookie', async () => {
      const { app } = setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const res = await request(app).post(`${BASE}verify/`).send({ token: login.body.access });
      expect(res.status).to.equal(200);
      expect(res.headers['set-cookie']).to.equal(undefined);
    });

    it('a refresh without a CSRF cookie gets a new one; one the browser has is kept', async () => {
      const { app } = setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const without = setCookies(await request(app).post(`${BASE}refresh/`).send({ refresh: login.body.refresh }));
      expect(without).to.have.keys('access', 'csrftoken');
      expect(without.csrftoken.value).to.match(/^[\w-]{43}$/);
      const kept = await request(app).post(`${BASE}refresh/`).set('Cookie', `csrftoken=${CSRF}`).send({ refresh: login.body.refresh });
      expect(kept.status).to.equal(200);
      expect(setCookies(kept)).to.have.keys('access');
    });

    it('a JSON body that is no object (an array, null, a string, a number) is not merged with the cookie: 400, the refresh cookie is not used', async () => {
      const { app } = setup();
      const session = sessionOf(await request(app).post(BASE).send(CREDENTIALS));
      for (const body of ['[]', 'null', '"refresh"', '42']) {
        const res = await withSession(request(app).post(`${BASE}refresh/`), session)
          .set('Content-Type', 'application/json')
          .send(body);
        expect(res.status, `${body}: ${JSON.stringify(res.body)}`).to.equal(400);
        expect(res.headers['set-cookie'], body).to.equal(undefined);
      }
    });

    it('logout without the blacklist app: clears every cookie (Path as set), 200 {}', async () => {
      const { app } = setup({ domain: 'example.com' });
      const session = sessionOf(await request(app).post(BASE).send(CREDENTIALS));
      const res = await withSession(request(app).post(`${BASE}logout/`), session);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({});
      const set = setCookies(res);
      expect(set).to.have.keys('access', 'refresh', 'token', 'csrftoken');
      for (const [name, cookie] of Object.entries(set)) {
        expect(cookie.value, name).to.equal('');
        expect(new Date(cookie.attributes.expires).getTime(), name).to.equal(0);
        expect(cookie.attributes.domain, name).to.equal('example.com');
      }
      expect(set.refresh.attributes.path).to.equal(BASE);
      expect(set.access.attributes.path).to.equal('/');
    });

    it('logout with no cookie at all still answers 200 and clears', async () => {
      const { app } = setup();
      const res = await request(app).post(`${BASE}logout/`);
      expect(res.status).to.equal(200);
      expect(setCookies(res)).to.have.keys('access', 'refresh', 'token', 'csrftoken');
    });

    it('the single factories take cookies too; the refresh cookie then defaults to Path=/ unless refreshPath says', async () => {
      const { sj } = makeSJ();
      const app = express();
      app.use('/login/', tokenObtainPairRouter(sj, { cookies: {} }));
      app.use('/refresh/', tokenRefreshRouter(sj, { cookies: { refreshPath: '/refresh/' } }));
      const login = await request(app).post('/login/').send(CREDENTIALS);
      expect(setCookies(login).refresh.attributes.path).to.equal('/');
      const res = await withSession(request(app).post('/refresh/'), sessionOf(login));
      expect(res.status).to.equal(200);
    });

    it('cookie mode off: no Set-Cookie, a refresh cookie is ignored, no /logout/', async () => {
      const made = makeSJ();
      const app = appWith(tokenRouter(made.sj));
      const login = await request(app).post(BASE).send(CREDENTIALS);
      expect(login.headers['set-cookie']).to.equal(undefined);
      const res = await request(app).post(`${BASE}refresh/`).set('Cookie', `refresh=${login.body.refresh}`);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ refresh: ['This field is required.'] });
      const logout = await request(app).post(`${BASE}logout/`);
      expect(logout.status).to.equal(404);
      expect(logout.body).to.deep.equal({ fellThrough: true });
    });
  });

  describe('with the blacklist and family apps (the test database)', () => {
    const openDatabase = useTestDatabase();

    async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
      const db = await openDatabase();
      const made = makeSJ({ sequelize: db.sequelize, ...ROTATING_FAMILY_OPTIONS, ...options });
      return { ...made, app: appWith(tokenRouter(made.sj, { cookies: { omitFromBody: true } })) };
    }

    it('logout blacklists the refresh token of the cookie and clears the cookies; a second logout is still 200', async () => {
      const { app, sj } = await setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const session = sessionOf(login);
      const refresh = setCookies(login).refresh.value;
      const res = await withSession(request(app).post(`${BASE}logout/`), session);
      expect(res.status).to.equal(200);
      expect(setCookies(res).refresh.value).to.equal('');
      expect(await sj.revocation.isBlacklisted(new sj.RefreshToken(refresh).jti())).to.equal(true);
      expect((await withSession(request(app).post(`${BASE}logout/`), session)).status).to.equal(200);
      expect401(await request(app).post(`${BASE}refresh/`).send({ refresh }), 'Token is blacklisted');
    });

    it('blacklist reads the refresh cookie', async () => {
      const { app, sj } = await setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const res = await withSession(request(app).post(`${BASE}blacklist/`), sessionOf(login));
      expect(res.status).to.equal(200);
      expect(await sj.revocation.isBlacklisted(new sj.RefreshToken(setCookies(login).refresh.value).jti())).to.equal(true);
    });

    it('family blacklist reads the refresh cookie; the rotated successor dies with it', async () => {
      const { app } = await setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const rotated = await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login));
      const session = sessionOf(rotated, ['refresh']);
      const res = await withSession(request(app).post(`${BASE}family/blacklist/`), session);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Token Family blacklisted' });
      expect401(await withSession(request(app).post(`${BASE}refresh/`), session), 'Token family is blacklisted');
    });

    it('blacklist, family blacklist and logout from the cookie without the CSRF header: 403, nothing blacklisted', async () => {
      const { app, sj } = await setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const { cookie } = sessionOf(login);
      for (const view of ['blacklist/', 'family/blacklist/', 'logout/']) {
        const res = await request(app).post(`${BASE}${view}`).set('Cookie', cookie);
        expect(res.status, view).to.equal(403);
        expect(res.body, view).to.deep.equal({ detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_failed' });
        expect(res.headers['set-cookie'], view).to.equal(undefined);
      }
      const refresh = new sj.RefreshToken(setCookies(login).refresh.value);
      expect(await sj.revocation.isBlacklisted(refresh.jti())).to.equal(false);
      expect((await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login))).status).to.equal(200);
    });

    it('a reused refresh cookie kills the family', async () => {
      const { app } = await setup();
      const login = await request(app).post(BASE).send(CREDENTIALS);
      const rotated = await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login));
      expect(rotated.status).to.equal(200);
      expect401(await withSession(request(app).post(`${BASE}refresh/`), sessionOf(login)), 'Token is blacklisted');
      expect401(await withSession(request(app).post(`${BASE}refresh/`), sessionOf(rotated, ['refresh'])), 'Token family is blacklisted');
    });
  });
});
