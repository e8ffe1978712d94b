import { expect } from 'chai';
import request from 'supertest';
import { tokenRouter, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { appsOnMemoryDatabase, makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith } from '../helpers/app';

const PATHS = ['/', '/refresh/', '/verify/', '/blacklist/', '/family/blacklist/', '/sliding/', '/sliding/refresh/'];

/** Which of Simple JWT's customary paths answer as a view (a POST with `{}` is a 400 field error, not a fall-through). */
async function mounted(options: Partial<SimpleJWTOptions<TestUser>>, routerOptions = {}): Promise<string[]> {
  const { sj } = makeSJ(options);
  const app = appWith(tokenRouter(sj, routerOptions));
  const found: string[] = [];
  for (const path of PATHS) {
    const res = await request(app).post(`/api/token${path}`).send({});
    if (res.status !== 404) found.push(path);
  }
  return found;
}

describe('tokenRouter(sj)', () => {
  it('by default: obtain pair, refresh, verify', async () => {
    expect(await mounted({})).to.deep.equal(['/', '/refresh/', '/verify/']);
  });

  it('sliding views when authTokenClasses accepts sliding tokens, or when asked', async () => {
    expect(await mounted({ authTokenClasses: ['AccessToken', 'SlidingToken'] })).to.deep.equal([
      '/',
      '/refresh/',
      '/verify/',
      '/sliding/',
      '/sliding/refresh/',
    ]);
    expect(await mounted({}, { sliding: true })).to.include.members(['/sliding/', '/sliding/refresh/']);
    expect(await mounted({ authTokenClasses: ['SlidingToken'] }, { sliding: false })).not.to.include('/sliding/');
  });

  it('family blacklist with tokenFamilyEnabled', async () => {
    expect(await mounted({ ...appsOnMemoryDatabase(), apps: { tokenFamily: true }, tokenFamilyEnabled: true })).to.deep.equal([
      '/',
      '/refresh/',
      '/verify/',
      '/family/blacklist/',
    ]);
  });

  describe('with the apps (the test database)', () => {
    const openDatabase = useTestDatabase();

    it('blacklist with the blacklist app', async () => {
      const db = await openDatabase();
      expect(await mounted({ sequelize: db.sequelize, apps: { blacklist: true } })).to.deep.equal(['/', '/refresh/', '/verify/', '/blacklist/']);
    });

    it('a Simple JWT client session: obtain → refresh → verify → blacklist, same paths and bodies', async () => {
      const db = await openDatabase();
      const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, rotateRefreshTokens: true, blacklistAfterRotation: true });
      const app = appWith(tokenRouter(sj));
      const pair = await request(app).post('/api/token/').send({ username: 'alice', password: 'alice-password' });
      expect(pair.status).to.equal(200);
      const refreshed = await request(app).post('/api/token/refresh/').send({ refresh: pair.body.refresh });
      expect(refreshed.body).to.have.keys('access', 'refresh');
      expect((await request(app).post('/api/token/verify/').send({ token: refreshed.body.access })).body).to.deep.equal({});
      expect((await request(app).post('/api/token/blacklist/').send({ refresh: refreshed.body.refresh })).body).to.deep.equal({});
      const after = await request(app).post('/api/token/refresh/').send({ refresh: refreshed.body.refresh });
      expect(after.status).to.equal(401);
      expect(after.body).to.deep.equal({ detail: 'Token is blacklisted', code: 'token_not_valid' });
    });
  });

  it('leaves other paths and methods of the app alone', async () => {
    const { sj } = makeSJ();
    const app = appWith(tokenRouter(sj));
    expect((await request(app).post('/api/token/other/').send({})).status).to.equal(404);
    expect((await request(app).get('/api/token/refresh/')).status).to.equal(405);
  });
});
