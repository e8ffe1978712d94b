import { expect } from 'chai';
import request from 'supertest';
import { tokenRouter, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith, expect401, pairFor } from '../helpers/app';
import { expectRejected } from '../helpers/storage';

// Rotation must blacklist the token it consumes, and this must show through
// the public API and the endpoints, not only in the tables: the rotation
// record alone (which refuses a second rotation) is not a blacklist.

describe('rotation blacklists the consumed refresh token (over HTTP and the public API)', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, rotateRefreshTokens: true, blacklistAfterRotation: true, ...options });
    return { ...made, app: appWith(tokenRouter(made.sj)) };
  }

  it('/verify/ calls the consumed token blacklisted, its successor good', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    const rotated = await request(app).post('/api/token/refresh/').send({ refresh });
    expect(rotated.status, JSON.stringify(rotated.body)).to.equal(200);
    const verifyOld = await request(app).post('/api/token/verify/').send({ token: refresh });
    expect(verifyOld.status, JSON.stringify(verifyOld.body)).to.equal(400);
    expect(verifyOld.body).to.deep.equal({ non_field_errors: ['Token is blacklisted'] });
    expect((await request(app).post('/api/token/verify/').send({ token: rotated.body.refresh })).status).to.equal(200);
  });

  it('the consumed token fails verify() and isBlacklisted() of the public API', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    expect((await request(app).post('/api/token/refresh/').send({ refresh })).status).to.equal(200);
    const old = new sj.RefreshToken(refresh);
    expect(await sj.revocation.isBlacklisted(old.jti())).to.equal(true);
    await expectRejected(old.verify(), 'Token is blacklisted');
  });

  it('a second rotation of the consumed token: 401 Token is blacklisted, also within the reuse interval once the successor is rotated', async () => {
    const { sj, app, clock } = await setup({ refreshTokenReuseInterval: 30 });
    const { refresh } = await pairFor(sj);
    const first = await request(app).post('/api/token/refresh/').send({ refresh });
    clock.advance(1);
    const second = await request(app).post('/api/token/refresh/').send({ refresh: first.body.refresh });
    expect(second.status).to.equal(200);
    clock.advance(1);
    expect401(await request(app).post('/api/token/refresh/').send({ refresh }), 'Token is blacklisted');
    // A later process that never saw the rotation reads the same answer from the database.
    const other = makeSJ({ sequelize: sj.sequelize, apps: { blacklist: true } }).sj;
    await expectRejected(new other.RefreshToken(first.body.refresh).verify(), 'Token is blacklisted');
  });
});
