import { expect } from 'chai';
import request from 'supertest';
import { JWTStrategy } from '../../../lib';
import { useTestDatabase } from '../../helpers/database';
import { makeSJ } from '../../helpers/fixtures';
import { appWith, type GuardMode } from '../../helpers/http';

// An access token whose family is checked (tokenFamilyCheckOnAccess) needs storage: when
// storage is down the strategy answers 503, never a 401 that tells the client its token is bad
// (the client would throw away a good token and log the user out).
describe('strategies: storage down while a token is checked', () => {
  const openDatabase = useTestDatabase();

  for (const mode of ['authenticate', 'jwtAuth'] as GuardMode[]) {
    it(`a family-checked access token: 503, not 401 (${mode})`, async () => {
      const db = await openDatabase();
      const { sj, users } = makeSJ({ sequelize: db.sequelize, apps: { tokenFamily: true }, tokenFamilyEnabled: true, tokenFamilyCheckOnAccess: true });
      const access = String((await sj.RefreshToken.forUser(users.users.get('1')!)).accessToken);
      const app = appWith(new JWTStrategy(sj), mode);
      expect((await request(app).get('/me').set('Authorization', `Bearer ${access}`)).status).to.equal(200);
      await db.sequelize.close();
      const res = await request(app).get('/me').set('Authorization', `Bearer ${access}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(503);
    });
  }
});
