import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { Passport } from 'passport';
import request from 'supertest';
import { JWTStrategy, errorHandler, jwtAuth, tokenRouter, type CookieModeOptions } from '../../lib';
import { makeSJ } from '../helpers/fixtures';
import { setCookies } from '../helpers/cookies';

const BASE = '/api/token/';
const CREDENTIALS = { username: 'alice', password: 'alice-password' };
const CSRF = 'the-csrf-token-of-this-browser';

function csrfFailed(reason: string) {
  return { detail: `CSRF Failed: ${reason}`, code: 'csrf_failed' };
}

/**
 * The token views in cookie mode and an app route behind the strategy in
 * cookie mode, with `trust proxy` so a test can say the request came over HTTPS.
 */
async function setup(cookies: CookieModeOptions = {}) {
  const made = makeSJ();
  const passport = new Passport();
  passport.use(new JWTStrategy(made.sj, { cookies }));
  const app = express();
  app.set('trust proxy', true);
  app.use(BASE, tokenRouter(made.sj, { cookies }));
  let changed = 0;
  const auth = jwtAuth('passport-simplejwt', { passport });
  app.get('/api/me/', auth, (req, res) => res.json({ id: (req.user as { id: number }).id }));
  app.post('/api/change/', auth, (_req, res) => {
    changed += 1;
    res.json({ changed });
  });
  app.use(errorHandler());
  const login = await request(app).post(BASE).send(CREDENTIALS);
  const set = setCookies(login);
  const jar = `access=${set.access.value}; refresh=${set.refresh.value}; csrftoken=${CSRF}`;
  return { ...made, app, jar, changes: () => changed };
}

describe("CSRF protection in cookie mode (Django's rules)", () => {
  describe('the double submit: csrftoken cookie echoed in X-CSRFToken', () => {
    it('cookie and header equal: the unsafe request goes through', async () => {
      const { app, jar, changes } = await setup();
      const res = await request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', CSRF);
      expect(res.status).to.equal(200);
      expect(changes()).to.equal(1);
    });

    it('no CSRF cookie: 403 "CSRF cookie not set."', async () => {
      const { app, jar, changes } = await setup();
      const res = await request(app)
        .post('/api/change/')
        .set('Cookie', jar.replace(`; csrftoken=${CSRF}`, ''))
        .set('X-CSRFToken', CSRF);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('CSRF cookie not set.'));
      expect(changes()).to.equal(0);
    });

    it('no header: 403 "CSRF token missing."', async () => {
      const { app, jar, changes } = await setup();
      const res = await request(app).post('/api/change/').set('Cookie', jar);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('CSRF token missing.'));
      expect(changes()).to.equal(0);
    });

    for (const [what, header] of [
      ['another value', 'the-csrf-token-of-this-browseR'],
      ['a prefix', CSRF.slice(0, 10)],
      ['a longer value', `${CSRF}x`],
    ]) {
      it(`a header of ${what}: 403 "CSRF token incorrect."`, async () => {
        const { app, jar, changes } = await setup();
        const res = await request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', header);
        expect(res.status).to.equal(403);
        expect(res.body).to.deep.equal(csrfFailed('CSRF token incorrect.'));
        expect(changes()).to.equal(0);
      });
    }

    it('safe methods need no CSRF token (GET with the access cookie)', async () => {
      const { app, jar } = await setup();
      const res = await request(app).get('/api/me/').set('Cookie', jar);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ id: 1 });
    });

    it('a request authenticated by the Authorization header needs neither token nor origin (as DRF)', async () => {
      const { app, sj, changes } = await setup();
      const access = String(await sj.AccessToken.forUser({ id: 1 }));
      const res = await request(app).post('/api/change/').set('Authorization', `Bearer ${access}`).set('Origin', 'https://evil.example');
      expect(res.status).to.equal(200);
      expect(changes()).to.equal(1);
    });

    it('csrfCookie and csrfHeader rename them', async () => {
      const { app, jar, changes } = await setup({ csrfCookie: 'XSRF-TOKEN', csrfHeader: 'X-XSRF-TOKEN' });
      const renamed = jar.replace('csrftoken=', 'XSRF-TOKEN=');
      expect((await request(app).post('/api/change/').set('Cookie', renamed).set('X-CSRFToken', CSRF)).body).to.deep.equal(csrfFailed('CSRF token missing.'));
      expect((await request(app).post('/api/change/').set('Cookie', renamed).set('X-XSRF-TOKEN', CSRF)).status).to.equal(200);
      expect(changes()).to.equal(1);
    });

    it('the token views: a refresh from the cookie without the header is refused and issues nothing', async () => {
      const { app, jar } = await setup();
      const res = await request(app).post(`${BASE}refresh/`).set('Cookie', jar);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('CSRF token missing.'));
      expect(res.headers['set-cookie']).to.equal(undefined);
    });

    it('the token views: logout and verify from the cookie need it too', async () => {
      const { app, jar } = await setup();
      for (const view of ['logout/', 'verify/']) {
        const res = await request(app).post(`${BASE}${view}`).set('Cookie', jar).set('X-CSRFToken', 'wrong');
        expect(res.status, view).to.equal(403);
        expect(res.body, view).to.deep.equal(csrfFailed('CSRF token incorrect.'));
        expect(res.headers['set-cookie'], view).to.equal(undefined);
      }
    });
  });

  describe('the origin check: Origin, else Referer over HTTPS', () => {
    it('an Origin of another site: 403 "Origin checking failed", even with the right CSRF token', async () => {
      const { app, jar, changes } = await setup();
      const res = await request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', CSRF).set('Origin', 'http://127.0.0.1:9999');
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('Origin checking failed - http://127.0.0.1:9999 does not match any trusted origins.'));
      expect(changes()).to.equal(0);
    });

    it('a foreign Origin is refused even beside a Referer of the own origin, over HTTP and HTTPS', async () => {
      const { app, jar, changes } = await setup();
      for (const proto of ['http', 'https']) {
        const res = await request(app)
          .post('/api/change/')
          .set('Host', 'api.example.com')
          .set('X-Forwarded-Proto', proto)
          .set('Cookie', jar)
          .set('X-CSRFToken', CSRF)
          .set('Origin', 'https://evil.example')
          .set('Referer', `${proto}://api.example.com/page`);
        expect(res.status, proto).to.equal(403);
        expect(res.body, proto).to.deep.equal(csrfFailed('Origin checking failed - https://evil.example does not match any trusted origins.'));
      }
      // The login and logout views too, which need no cookie.
      for (const view of ['', 'logout/']) {
        const res = await request(app)
          .post(`${BASE}${view}`)
          .set('Host', 'api.example.com')
          .set('Origin', 'https://evil.example')
          .set('Referer', 'http://api.example.com/login')
          .send(CREDENTIALS);
        expect(res.status, view).to.equal(403);
        expect(res.headers['set-cookie'], view).to.equal(undefined);
      }
      expect(changes()).to.equal(0);
    });

    it('the Origin of the request itself passes', async () => {
      const { app, jar } = await setup();
      const res = await request(app)
        .post('/api/change/')
        .set('Host', 'api.example.com')
        .set('Cookie', jar)
        .set('X-CSRFToken', CSRF)
        .set('Origin', 'http://api.example.com');
      expect(res.status).to.equal(200);
    });

    it('csrfTrustedOrigins: exact origins and https://*.domain wildcards', async () => {
      const { app, jar } = await setup({ csrfTrustedOrigins: ['https://app.example.com', 'https://*.example.org'] });
      const post = (origin: string) => request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', CSRF).set('Origin', origin);
      expect((await post('https://app.example.com')).status).to.equal(200);
      expect((await post('https://a.b.example.org')).status).to.equal(200);
      expect((await post('http://app.example.com')).status).to.equal(403);
      expect((await post('https://example.org')).status).to.equal(403);
      expect((await post('https://evilexample.org')).status).to.equal(403);
      expect((await post('null')).status).to.equal(403);
    });

    it('csrfTrustedOrigins: a wildcard covers subdomains of its scheme only, and an exact entry is never matched by its tail', async () => {
      const { app, jar, changes } = await setup({ csrfTrustedOrigins: ['https://app.example.com', 'https://*.example.org'] });
      const post = (origin: string) => request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', CSRF).set('Origin', origin);
      for (const origin of [
        'http://a.example.org', // the wildcard's scheme is https
        'https://.example.org', // no subdomain at all
        'https://a.example.org.evil.com',
        'https://evil.com',
        'https://evil.tps://app.example.com', // ends as the exact entry does, from its fourth character
      ]) {
        const res = await post(origin);
        expect(res.status, origin).to.equal(403);
        expect(res.body, origin).to.deep.equal(csrfFailed(`Origin checking failed - ${origin} does not match any trusted origins.`));
      }
      expect(changes()).to.equal(0);
      expect((await post('https://a.example.org')).status).to.equal(200);
    });

    it('an empty Host header: the own origin is unknown, so only a trusted Origin passes', async () => {
      const { app, jar, changes } = await setup({ csrfTrustedOrigins: ['https://app.example.com'] });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const post = (origin: string) =>
        new Promise<{ status: number; body: unknown }>((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/api/change/',
              setHost: false,
              headers: { Host: '', Cookie: jar, 'X-CSRFToken': CSRF, Origin: origin },
            },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
            },
          );
          req.on('error', reject);
          req.end();
        });
      try {
        const res = await post('http://');
        expect(res.status).to.equal(403);
        expect(res.body).to.deep.equal(csrfFailed('Origin checking failed - http:// does not match any trusted origins.'));
        expect(changes()).to.equal(0);
        expect((await post('https://app.example.com')).status).to.equal(200);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('no Host header at all (HTTP/1.0): the own origin is unknown, not "http://undefined"', async () => {
      const { app, jar, changes } = await setup();
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      const post = (origin: string) =>
        new Promise<string>((resolve, reject) => {
          // HTTP/1.0 needs no Host; Node's server requires one of HTTP/1.1 only.
          const socket = net.connect(port, '127.0.0.1', () =>
            socket.end(`POST /api/change/ HTTP/1.0\r\nCookie: ${jar}\r\nX-CSRFToken: ${CSRF}\r\nOrigin: ${origin}\r\nContent-Length: 0\r\n\r\n`),
          );
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        });
      try {
        for (const origin of ['http://undefined', 'http://null']) {
          const res = await post(origin);
          expect(res.split('\r\n')[0], origin).to.match(/^HTTP\/1\.[01] 403 /);
          expect(res, origin).to.include(`Origin checking failed - ${origin} does not match any trusted origins.`);
        }
        expect(changes()).to.equal(0);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('an empty X-CSRFToken header: 403 "CSRF token missing."', async () => {
      const { app, jar, changes } = await setup();
      const res = await request(app).post('/api/change/').set('Cookie', jar).set('X-CSRFToken', '');
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('CSRF token missing.'));
      expect(changes()).to.equal(0);
    });

    it('over HTTPS without Origin: an empty Referer is no Referer, and a Referer of no origin (file:, data:) is malformed', async () => {
      const { app, jar, changes } = await setup();
      const post = (referer: string) =>
        request(app).post('/api/change/').set('X-Forwarded-Proto', 'https').set('Cookie', jar).set('X-CSRFToken', CSRF).set('Referer', referer);
      expect((await post('')).body).to.deep.equal(csrfFailed('Referer checking failed - no Referer.'));
      expect((await post('file:///etc/passwd')).body).to.deep.equal(csrfFailed('Referer checking failed - Referer is malformed.'));
      expect((await post('data:text/html,<form>')).body).to.deep.equal(csrfFailed('Referer checking failed - Referer is malformed.'));
      expect(changes()).to.equal(0);
    });

    it('over HTTPS without Origin: no Referer is 403 "Referer checking failed - no Referer."', async () => {
      const { app, jar } = await setup();
      const res = await request(app).post('/api/change/').set('X-Forwarded-Proto', 'https').set('Cookie', jar).set('X-CSRFToken', CSRF);
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(csrfFailed('Referer checking failed - no Referer.'));
    });

    it('over HTTPS: a malformed, insecure or foreign Referer is refused; the own origin passes', async () => {
      const { app, jar } = await setup();
      const post = (referer: string) =>
        request(app)
          .post('/api/change/')
          .set('Host', 'api.example.com')
          .set('X-Forwarded-Proto', 'https')
          .set('Cookie', jar)
          .set('X-CSRFToken', CSRF)
          .set('Referer', referer);
      expect((await post('not a url')).body).to.deep.equal(csrfFailed('Referer checking failed - Referer is malformed.'));
      expect((await post('http://api.example.com/page')).body).to.deep.equal(csrfFailed('Referer checking failed - Referer is insecure while host is secure.'));
      expect((await post('https://evil.example/page')).body).to.deep.equal(
        csrfFailed('Referer checking failed - https://evil.example does not match any trusted origins.'),
      );
      expect((await post('https://api.example.com/page')).status).to.equal(200);
    });

    it('login (obtain) in cookie mode: a foreign Origin is refused with no cookie set; no Origin passes', async () => {
      const { app } = await setup();
      const refused = await request(app).post(BASE).set('Origin', 'https://evil.example').send(CREDENTIALS);
      expect(refused.status).to.equal(403);
      expect(refused.body).to.deep.equal(csrfFailed('Origin checking failed - https://evil.example does not match any trusted origins.'));
      expect(refused.headers['set-cookie']).to.equal(undefined);
      expect((await request(app).post(BASE).send(CREDENTIALS)).status).to.equal(200);
    });

    it('logout in cookie mode: a foreign Origin without cookies is refused and clears nothing; no Origin or its own passes', async () => {
      const { app } = await setup();
      const refused = await request(app).post(`${BASE}logout/`).set('Origin', 'https://evil.example');
      expect(refused.status).to.equal(403);
      expect(refused.body).to.deep.equal(csrfFailed('Origin checking failed - https://evil.example does not match any trusted origins.'));
      expect(refused.headers['set-cookie']).to.equal(undefined);
      // A body token is no way around it either.
      const withBody = await request(app).post(`${BASE}logout/`).set('Origin', 'https://evil.example').send({ refresh: 'x' });
      expect(withBody.status).to.equal(403);
      expect(withBody.headers['set-cookie']).to.equal(undefined);
      expect((await request(app).post(`${BASE}logout/`)).status).to.equal(200);
      expect((await request(app).post(`${BASE}logout/`).set('Host', 'api.example.com').set('Origin', 'http://api.example.com')).status).to.equal(200);
    });

    it('logout over HTTPS without Origin needs a Referer of its own origin, as the other unsafe views', async () => {
      const { app } = await setup();
      const post = () => request(app).post(`${BASE}logout/`).set('Host', 'api.example.com').set('X-Forwarded-Proto', 'https');
      const none = await post();
      expect(none.status).to.equal(403);
      expect(none.body).to.deep.equal(csrfFailed('Referer checking failed - no Referer.'));
      expect(none.headers['set-cookie']).to.equal(undefined);
      expect((await post().set('Referer', 'https://evil.example/page')).status).to.equal(403);
      expect((await post().set('Referer', 'https://api.example.com/page')).status).to.equal(200);
    });
  });
});
