import { expect } from 'chai';
import request from 'supertest';
import { tokenRouter } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';
import { appWith, pairFor } from '../helpers/app';

/** What a driver rejects with when its server refuses connections (Node's net error). */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

/** What a cache client rejects with when its connection drops. */
function reset(): Error {
  return Object.assign(new Error('cache down: read ECONNRESET'), { code: 'ECONNRESET' });
}

function expect503(res: request.Response): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(503);
  expect(res.body.code).to.equal('service_unavailable');
  expect(res.body.detail).to.be.a('string');
  expect(JSON.stringify(res.body)).not.to.include('ECONNREFUSED');
}

describe('a user store, database or cache that is down: 503 service_unavailable, never 200 or 500', () => {
  it('users.authenticate() throws at obtain', async () => {
    const { sj, users } = makeSJ();
    users.authenticate = async () => {
      throw refused();
    };
    expect503(
      await request(appWith(tokenRouter(sj)))
        .post('/api/token/')
        .send({ username: 'alice', password: 'alice-password' }),
    );
  });

  it('users.findById() throws at refresh', async () => {
    const { sj, users } = makeSJ();
    const { refresh } = await pairFor(sj);
    users.findById = async () => {
      throw refused();
    };
    expect503(
      await request(appWith(tokenRouter(sj)))
        .post('/api/token/refresh/')
        .send({ refresh }),
    );
  });

  it('updateLastLogin fails: no tokens are handed out', async () => {
    const { sj, users } = makeSJ({ updateLastLogin: true });
    users.updateLastLogin = async () => {
      throw refused();
    };
    expect503(
      await request(appWith(tokenRouter(sj)))
        .post('/api/token/')
        .send({ username: 'alice', password: 'alice-password' }),
    );
  });

  describe('the database of the apps goes away (the test database)', () => {
    const openDatabase = useTestDatabase();

    it('refresh, verify, blacklist and obtain answer 503 while it is gone', async () => {
      const db = await openDatabase();
      const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, rotateRefreshTokens: true, blacklistAfterRotation: true });
      const app = appWith(tokenRouter(sj));
      const { refresh } = await pairFor(sj);
      await db.sequelize.close();
      expect503(await request(app).post('/api/token/refresh/').send({ refresh }));
      expect503(await request(app).post('/api/token/verify/').send({ token: refresh }));
      expect503(await request(app).post('/api/token/blacklist/').send({ refresh }));
      expect503(await request(app).post('/api/token/').send({ username: 'alice', password: 'alice-password' }));
    });

    it('the cache fails: 503', async () => {
      const db = await openDatabase();
      const failing = {
        has: async () => {
          throw reset();
        },
        set: async () => {
          throw reset();
        },
        delete: async () => {
          throw reset();
        },
      };
      const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, cache: failing, cacheBlacklistedRefreshTokens: true });
      const { refresh } = await pairFor(sj);
      expect503(
        await request(appWith(tokenRouter(sj)))
          .post('/api/token/refresh/')
          .send({ refresh }),
      );
    });
  });
});
