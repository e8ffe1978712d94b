import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { DEMO_PASSWORD, DEMO_USERNAME, createDemoApp, type DemoApp } from '../../examples/app';
import { verifyPassword } from '../../examples/password';

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
});
