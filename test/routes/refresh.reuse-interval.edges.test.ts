/**
 * The reuse interval and reuse detection at their edges, over HTTP on the
 * database of the run: what a consumed token gets when its successor is gone,
 * when it was blacklisted without a rotation, when it has no family, and when
 * storage fails while the successor is checked.
 */
import { expect } from 'chai';
import request from 'supertest';
import { ServiceUnavailable, tokenRouter, type SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { ROTATING_FAMILY_OPTIONS, appWith, expect401, pairFor } from '../helpers/app';

const REFRESH = '/api/token/refresh/';
const LOGOUT = '/api/token/blacklist/';

describe('refresh: reuse and the reuse interval at the edges', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, ...ROTATING_FAMILY_OPTIONS, refreshTokenReuseInterval: 10, ...options });
    return { ...made, app: appWith(tokenRouter(made.sj)) };
  }

  const familyOf = (sj: SimpleJWT<TestUser>, refresh: string) => new sj.RefreshToken(refresh, { verify: false }).getFamilyId()!;

  it('within the interval, a predecessor whose successor was logged out is reuse: 401 and the family is blacklisted', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    const first = await request(app).post(REFRESH).send({ refresh });
    expect(first.status).to.equal(200);
    expect((await request(app).post(LOGOUT).send({ refresh: first.body.refresh })).status).to.equal(200);
    expect401(await request(app).post(REFRESH).send({ refresh }), 'Token is blacklisted');
    expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, refresh))).to.equal(true);
  });

  it('within the interval, a token logged out (blacklisted, never rotated) is reuse: 401, no successor to answer', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    expect((await request(app).post(LOGOUT).send({ refresh })).status).to.equal(200);
    expect401(await request(app).post(REFRESH).send({ refresh }), 'Token is blacklisted');
    expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, refresh))).to.equal(true);
  });

  it('reuse of a token without a family (minted before families were on): 401 Token is blacklisted, nothing else to blacklist', async () => {
    const { sj, app } = await setup({ refreshTokenReuseInterval: 0 });
    const before = makeSJ({ sequelize: sj.sequelize, apps: { blacklist: true } }).sj;
    const refresh = String(await before.RefreshToken.forUser({ id: 1 }));
    expect((await request(app).post(REFRESH).send({ refresh })).status).to.equal(200);
    expect401(await request(app).post(REFRESH).send({ refresh }), 'Token is blacklisted');
  });

  it('storage failing while the successor is checked: 503, not reuse (the family stays usable)', async () => {
    let failFor: string | null = null;
    const { sj, app } = await setup({
      // Storage (here the app's own, behind the one hook) failing for the successor only.
      isRevoked: (token, state) => {
        if (token.jti() === failFor) throw new ServiceUnavailable();
        return state.blacklisted || state.familyBlacklisted;
      },
    });
    const { refresh } = await pairFor(sj);
    const first = await request(app).post(REFRESH).send({ refresh });
    expect(first.status).to.equal(200);
    failFor = new sj.RefreshToken(first.body.refresh).jti();
    const retry = await request(app).post(REFRESH).send({ refresh });
    expect(retry.status, JSON.stringify(retry.body)).to.equal(503);
    expect(await sj.revocation.isFamilyBlacklisted(familyOf(sj, refresh))).to.equal(false);
  });
});
