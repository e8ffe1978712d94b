import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { DEMO_PASSWORD, DEMO_USERNAME, createDemoApp, type DemoApp } from '../../examples/app';
import { verifyPassword } from '../../examples/password';
import net from 'node:net';
import { SERVER_TIMEOUTS, serverWithTimeouts } from '../../examples/http-server';

describe('examples/demo app', () => {
  let dir: string;
  let demo: DemoApp;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sjwt-demo-'));
    demo = await createDemoApp({ storage: path.join(dir, 'demo.sqlite3'), signingKey: 'demo-test-secret-0123456789abcdef' });
  });

  after(async () => {
    await demo.sequelize.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the demo user with a salted scrypt hash of the demo password', async () => {
    const user = await demo.User.findOne({ where: { username: DEMO_USERNAME } });
    expect(user).to.not.equal(null);
    expect(user!.is_active).to.equal(true);
    expect(user!.password).to.match(/^scrypt\$[0-9a-f]{32}\$[0-9a-f]{128}$/);
    expect(await verifyPassword(DEMO_PASSWORD, user!.password)).to.equal(true);
    expect(await verifyPassword('wrong-password', user!.password)).to.equal(false);
  });

  it('authenticates the demo user through the user store', async () => {
    const users = demo.sj.requireUsers();
    const user = await users.authenticate({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    expect(user?.username).to.equal(DEMO_USERNAME);
    expect(await users.authenticate({ username: DEMO_USERNAME, password: 'nope' })).to.equal(null);
  });

  it('does not seed a second demo user when built again on the same file', async () => {
    const again = await createDemoApp({ storage: path.join(dir, 'demo.sqlite3') });
    try {
      expect(await again.User.count({ where: { username: DEMO_USERNAME } })).to.equal(1);
    } finally {
      await again.sequelize.close();
    }
  });

  it('the login page shows the demo credentials and serves a favicon (no 404 in the browser console)', async () => {
    const page = await request(demo.app).get('/');
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`<code>${DEMO_USERNAME}</code> / <code>${DEMO_PASSWORD}</code>`);
    expect(page.text).to.include('<link rel="icon" href="/favicon.svg"');
    const icon = await request(demo.app).get('/favicon.svg');
    expect(icon.status).to.equal(200);
    expect(icon.headers['content-type']).to.match(/^image\/svg\+xml/);
    const ico = await request(demo.app).get('/favicon.ico').redirects(1);
    expect(ico.status).to.equal(200);
    expect(ico.headers['content-type']).to.match(/^image\/svg\+xml/);
  });

  it('GET /api/me/ without a token is 401 JSON', async () => {
    const res = await request(demo.app).get('/api/me/');
    expect(res.status).to.equal(401);
    expect(res.headers['content-type']).to.match(/application\/json/);
    expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
    expect(res.body).to.deep.equal({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
  });

  it('GET /api/me/ with an access token of the demo user answers the user', async () => {
    const user = await demo.User.findOne({ where: { username: DEMO_USERNAME } });
    const access = String((await demo.sj.RefreshToken.forUser(user)).accessToken);
    const res = await request(demo.app).get('/api/me/').set('Authorization', `Bearer ${access}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ id: user!.id, username: DEMO_USERNAME });
  });

  it('GET /api/me/ with a garbage token is 401 token_not_valid', async () => {
    const res = await request(demo.app).get('/api/me/').set('Authorization', 'Bearer not.a.token');
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('token_not_valid');
  });

  it('serves the Simple JWT client session: obtain, me, refresh (rotating), verify, blacklist', async () => {
    const obtain = await request(demo.app).post('/api/token/').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    expect(obtain.status).to.equal(200);
    expect(obtain.body).to.have.keys('refresh', 'access');
    const me = await request(demo.app).get('/api/me/').set('Authorization', `Bearer ${obtain.body.access}`);
    expect(me.body.username).to.equal(DEMO_USERNAME);

    const refreshed = await request(demo.app).post('/api/token/refresh/').send({ refresh: obtain.body.refresh });
    expect(refreshed.status).to.equal(200);
    expect(refreshed.body).to.have.keys('refresh', 'access');
    const verified = await request(demo.app).post('/api/token/verify/').send({ token: refreshed.body.access });
    expect([verified.status, verified.body]).to.deep.equal([200, {}]);

    const logout = await request(demo.app).post('/api/token/blacklist/').send({ refresh: refreshed.body.refresh });
    expect([logout.status, logout.body]).to.deep.equal([200, {}]);
    const after = await request(demo.app).post('/api/token/refresh/').send({ refresh: refreshed.body.refresh });
    expect([after.status, after.body]).to.deep.equal([401, { detail: 'Token is blacklisted', code: 'token_not_valid' }]);
  });

  it('treats a replayed rotated refresh token as theft: the whole family stops working', async () => {
    const obtain = await request(demo.app).post('/api/token/').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    const rotated = await request(demo.app).post('/api/token/refresh/').send({ refresh: obtain.body.refresh });
    expect(rotated.status).to.equal(200);
    const replay = await request(demo.app).post('/api/token/refresh/').send({ refresh: obtain.body.refresh });
    expect(replay.status).to.equal(401);
    const successor = await request(demo.app).post('/api/token/refresh/').send({ refresh: rotated.body.refresh });
    expect([successor.status, successor.body.detail]).to.deep.equal([401, 'Token family is blacklisted']);
    const me = await request(demo.app).get('/api/me/').set('Authorization', `Bearer ${rotated.body.access}`);
    expect(me.status).to.equal(401);
  });

  it('logs out everywhere: refresh tokens of every login are refused', async () => {
    const logins = await Promise.all([1, 2].map(() => request(demo.app).post('/api/token/').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD })));
    const res = await request(demo.app).post('/api/logout-all/').set('Authorization', `Bearer ${logins[0].body.access}`);
    expect(res.status).to.equal(200);
    expect(res.body.tokens).to.be.at.least(2);
    for (const login of logins) {
      const refresh = await request(demo.app).post('/api/token/refresh/').send({ refresh: login.body.refresh });
      expect(refresh.status).to.equal(401);
    }
  });

  it('mounts the sliding endpoints (SlidingToken authenticates requests)', async () => {
    const obtain = await request(demo.app).post('/api/token/sliding/').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    expect(obtain.status).to.equal(200);
    const me = await request(demo.app).get('/api/me/').set('Authorization', `Bearer ${obtain.body.token}`);
    expect(me.status).to.equal(200);
    const renewed = await request(demo.app).post('/api/token/sliding/refresh/').send({ token: obtain.body.token });
    expect(renewed.status).to.equal(200);
  });
  it('serves the login page at / and its script, with no token anywhere in them', async () => {
    const page = await request(demo.app).get('/');
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.match(/text\/html/);
    expect(page.text).to.include('<form id="login">').and.to.include('<script src="/app.js">');
    const script = await request(demo.app).get('/app.js');
    expect(script.status).to.equal(200);
    expect(script.text).to.include("'X-CSRFToken'");
    expect(script.text).to.not.match(/localStorage|sessionStorage/);
  });

  it("the login page's endpoints at /api/session/ answer in cookie mode: tokens only in HttpOnly cookies", async () => {
    const res = await request(demo.app).post('/api/session/').set('Host', '127.0.0.1:8000').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({});
    const cookies = (res.headers['set-cookie'] as unknown as string[]).map((c) => c.split('=')[0]);
    expect(cookies).to.deep.equal(['access', 'refresh', 'csrftoken']);
    expect((res.headers['set-cookie'] as unknown as string[])[1])
      .to.include('Path=/api/session/')
      .and.to.include('HttpOnly');
  });

  it('POST /api/session/logout/ from a foreign Origin without cookies is a 403 that clears nothing', async () => {
    const res = await request(demo.app).post('/api/session/logout/').set('Host', '127.0.0.1:8000').set('Origin', 'https://evil.example');
    expect(res.status).to.equal(403);
    expect(res.body).to.deep.equal({
      detail: 'CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.',
      code: 'csrf_failed',
    });
    expect(res.headers['set-cookie']).to.equal(undefined);
    const own = await request(demo.app).post('/api/session/logout/').set('Host', '127.0.0.1:8000').set('Origin', 'http://127.0.0.1:8000');
    expect(own.status).to.equal(200);
  });

  it('throttles failed logins: the 6th try at a username after 5 failures is a 429, even with the right password', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(demo.app).post('/api/token/').send({ username: DEMO_USERNAME, password: 'wrong' });
      expect(res.status).to.equal(401);
    }
    const res = await request(demo.app).post('/api/token/').send({ username: DEMO_USERNAME, password: DEMO_PASSWORD });
    expect(res.status).to.equal(429);
    expect(res.body.code).to.equal('throttled');
    expect(res.headers['retry-after']).to.match(/^\d+$/);
  });
});

describe('examples/http-server: the demo server cuts off slow clients', () => {
  it("sets request, header and keep-alive timeouts well under Node's defaults", () => {
    expect(SERVER_TIMEOUTS.requestTimeout).to.be.below(300_000);
    expect(SERVER_TIMEOUTS.headersTimeout).to.be.at.most(SERVER_TIMEOUTS.requestTimeout);
    const server = serverWithTimeouts(() => {});
    expect([server.requestTimeout, server.headersTimeout, server.keepAliveTimeout]).to.deep.equal([
      SERVER_TIMEOUTS.requestTimeout,
      SERVER_TIMEOUTS.headersTimeout,
      SERVER_TIMEOUTS.keepAliveTimeout,
    ]);
  });

  it('a client that never finishes its headers gets a 408 and its connection closed', async function () {
    this.timeout(10_000);
    const server = serverWithTimeouts((_req, res) => res.end('ok'), { requestTimeout: 300, headersTimeout: 300, connectionsCheckingInterval: 50 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      socket.write('POST /api/token/ HTTP/1.1\r\nHost: x\r\n'); // and nothing more
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      await new Promise((resolve) => socket.once('close', resolve));
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
    } finally {
      server.close();
    }
  });
});
