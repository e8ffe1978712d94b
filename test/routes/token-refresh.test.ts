import { expect } from 'chai';
import request from 'supertest';
import { SimpleJWT, TokenRefreshSerializer, tokenRefreshRouter, type RefreshToken, type SimpleJWTOptions } from '../../lib';
import { defineModels } from '../../models';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, SECRET, type TestUser } from '../helpers/fixtures';
import { ROTATING_FAMILY_OPTIONS, appWith, expect401, pairFor } from '../helpers/app';

const PATH = '/api/token/refresh/';

describe('POST /api/token/refresh/ (tokenRefreshRouter), apps off', () => {
  function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const made = makeSJ(options);
    return { ...made, app: appWith(tokenRefreshRouter(made.sj), PATH) };
  }

  it('answers 200 {access} without rotation; the access token counts its exp from now', async () => {
    const { sj, app, clock } = setup();
    const { refresh } = await pairFor(sj);
    clock.advance(600);
    const res = await request(app).post(PATH).send({ refresh });
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['access']);
    const access = new sj.AccessToken(res.body.access);
    expect(access.get('user_id')).to.equal('1');
    expect(access.get('exp')).to.equal(Math.floor(clock.now().getTime() / 1000) + 300);
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('a refresh token issued in the future (iat beyond leeway): 401 Token is invalid, as PyJWT >= 2.10', async () => {
    const { sj, app, clock } = setup({ leeway: 60 });
    const token = await sj.RefreshToken.forUser({ id: 1 });
    token.setIat('iat', new Date(clock.now().getTime() + 61_000));
    expect401(
      await request(app)
        .post(PATH)
        .send({ refresh: String(token) }),
      'Token is invalid',
    );
    token.setIat('iat', new Date(clock.now().getTime() + 60_000));
    expect(
      (
        await request(app)
          .post(PATH)
          .send({ refresh: String(token) })
      ).status,
    ).to.equal(200);
  });

  it('keeps custom claims of the refresh token in the access token', async () => {
    const { sj, app } = setup();
    const token = await sj.RefreshToken.forUser({ id: 1 });
    token.set('name', 'alice');
    const res = await request(app)
      .post(PATH)
      .send({ refresh: String(token) });
    expect(new sj.AccessToken(res.body.access).get('name')).to.equal('alice');
  });

  it('accepts an urlencoded body', async () => {
    const { sj, app } = setup();
    const { refresh } = await pairFor(sj);
    const res = await request(app).post(PATH).type('form').send({ refresh });
    expect(res.status).to.equal(200);
  });

  describe('bad tokens: 401 token_not_valid with the token message', () => {
    it('garbage', async () => {
      const { app } = setup();
      expect401(await request(app).post(PATH).send({ refresh: 'not-a-token' }), 'Token is invalid');
    });

    it('an access token', async () => {
      const { sj, app } = setup();
      const { access } = await pairFor(sj);
      expect401(await request(app).post(PATH).send({ refresh: access }), 'Token has wrong type');
    });

    it('an expired refresh token', async () => {
      const { sj, app, clock } = setup();
      const { refresh } = await pairFor(sj);
      clock.advance(24 * 60 * 60 + 1);
      expect401(await request(app).post(PATH).send({ refresh }), 'Token is expired');
    });

    it('a token signed with another key', async () => {
      const { app } = setup();
      const other = new SimpleJWT({ signingKey: 'another-secret-that-is-long-enough-for-hs256-xx' });
      const token = await other.RefreshToken.forUser({ id: 1 });
      expect401(
        await request(app)
          .post(PATH)
          .send({ refresh: String(token) }),
        'Token is invalid',
      );
    });

    it('a token without jti', async () => {
      const { sj, app } = setup();
      const token = await sj.RefreshToken.forUser({ id: 1 });
      token.delete('jti');
      expect401(
        await request(app)
          .post(PATH)
          .send({ refresh: String(token) }),
        'Token has no id',
      );
    });
  });

  it('a missing, blank or non-string refresh is a 400 field error', async () => {
    const { app } = setup();
    expect((await request(app).post(PATH).send({})).body).to.deep.equal({ refresh: ['This field is required.'] });
    expect((await request(app).post(PATH).send({ refresh: ' ' })).body).to.deep.equal({ refresh: ['This field may not be blank.'] });
    expect(
      (
        await request(app)
          .post(PATH)
          .send({ refresh: ['x'] })
      ).body,
    ).to.deep.equal({ refresh: ['Not a valid string.'] });
  });

  describe('the user is checked again', () => {
    it('deleted user: 401 no_active_account', async () => {
      const { sj, app, users } = setup();
      const { refresh } = await pairFor(sj);
      users.users.delete('1');
      expect401(await request(app).post(PATH).send({ refresh }), 'No active account found for the given token.', 'no_active_account');
    });

    it('user made inactive: 401 no_active_account', async () => {
      const { sj, app, users } = setup();
      const { refresh } = await pairFor(sj);
      users.users.get('1')!.isActive = false;
      expect401(await request(app).post(PATH).send({ refresh }), 'No active account found for the given token.', 'no_active_account');
    });

    it('inactive user with checkUserIsActive off: refreshed', async () => {
      const { sj, app, users } = setup({ checkUserIsActive: false });
      const { refresh } = await pairFor(sj);
      users.users.get('1')!.isActive = false;
      expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
    });

    it('checkRevokeToken: password changed → 401 password_changed; unchanged → 200', async () => {
      const { sj, app, users } = setup({ checkRevokeToken: true });
      const { refresh } = await pairFor(sj);
      expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
      users.users.get('1')!.password = 'new-password';
      expect401(await request(app).post(PATH).send({ refresh }), "The user's password has been changed.", 'password_changed');
    });

    it('without checkRevokeToken a password change does not matter', async () => {
      const { sj, app, users } = setup();
      const { refresh } = await pairFor(sj);
      users.users.get('1')!.password = 'new-password';
      expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
    });

    it('an instance without a user store refreshes statelessly', async () => {
      const sj = new SimpleJWT({ signingKey: SECRET });
      const token = await sj.RefreshToken.forUser({ id: 9 });
      const res = await request(appWith(tokenRefreshRouter(sj), PATH))
        .post(PATH)
        .send({ refresh: String(token) });
      expect(res.status).to.equal(200);
    });
  });

  describe('rotateRefreshTokens', () => {
    it('answers {access, refresh}: new jti, exp and iat, other claims kept', async () => {
      const { sj, app, clock } = setup({ rotateRefreshTokens: true });
      const old = await sj.RefreshToken.forUser({ id: 1 });
      old.set('name', 'alice');
      clock.advance(3600);
      const res = await request(app)
        .post(PATH)
        .send({ refresh: String(old) });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['access', 'refresh']);
      const next = new sj.RefreshToken(res.body.refresh);
      const now = Math.floor(clock.now().getTime() / 1000);
      expect(next.get('jti'))
        .to.match(/^[0-9a-f]{32}$/)
        .and.not.equal(old.get('jti'));
      expect(next.get('iat')).to.equal(now);
      expect(next.get('exp')).to.equal(now + 24 * 60 * 60);
      expect(next.get('user_id')).to.equal('1');
      expect(next.get('name')).to.equal('alice');
      expect(new sj.AccessToken(res.body.access).get('name')).to.equal('alice');
    });

    it('without the blacklist app the old token keeps working (as in Simple JWT; blacklistAfterRotation is refused there)', async () => {
      const { sj, app } = setup({ rotateRefreshTokens: true });
      const { refresh } = await pairFor(sj);
      expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
      expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
    });
  });

  it('a custom tokenClass with a longer lifetime is used for decoding and rotation', async () => {
    const { sj, clock } = makeSJ({ rotateRefreshTokens: true });
    class WeekRefresh extends sj.RefreshToken {
      static override lifetime = '7d';
    }
    class WeekRefreshSerializer extends TokenRefreshSerializer {
      static override tokenClass = WeekRefresh;
    }
    const app = appWith(tokenRefreshRouter(sj, { serializerClass: WeekRefreshSerializer }), PATH);
    const token = await WeekRefresh.forUser({ id: 1 });
    clock.advance(3 * 24 * 3600);
    const res = await request(app)
      .post(PATH)
      .send({ refresh: String(token) });
    expect(res.status).to.equal(200);
    expect(new sj.RefreshToken(res.body.refresh).get('exp')).to.equal(Math.floor(clock.now().getTime() / 1000) + 7 * 24 * 3600);
  });
});

describe('POST /api/token/refresh/ with the blacklist and family apps (the test database)', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({ sequelize: db.sequelize, ...ROTATING_FAMILY_OPTIONS, ...options });
    return { db, ...made, models: defineModels(db.sequelize), app: appWith(tokenRefreshRouter(made.sj), PATH) };
  }

  it('rotation consumes the old token and records the new one as outstanding, family claims kept', async () => {
    const { sj, app, models } = await setup();
    const { refresh } = await pairFor(sj);
    const old = new sj.RefreshToken(refresh);
    const res = await request(app).post(PATH).send({ refresh });
    expect(res.status).to.equal(200);
    const next = new sj.RefreshToken(res.body.refresh);
    expect(next.get('family_id')).to.equal(old.get('family_id'));
    expect(next.get('family_exp')).to.equal(old.get('family_exp'));
    // family_id names the session (#24); family_exp only with tokenFamilyCheckOnAccess.
    expect(new sj.AccessToken(res.body.access).get('family_id')).to.equal(old.get('family_id'));
    expect(new sj.AccessToken(res.body.access).has('family_exp')).to.equal(false);
    expect(await models.OutstandingToken.count({ where: { jti: next.jti() } })).to.equal(1);
    expect(await sj.revocation.isBlacklisted(old.jti())).to.equal(true);
    expect401(await request(app).post(PATH).send({ refresh }), 'Token is blacklisted');
  });

  it('reuse of a rotated token blacklists the family: the successor stops working too', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    const first = await request(app).post(PATH).send({ refresh });
    expect(first.status).to.equal(200);
    expect401(await request(app).post(PATH).send({ refresh }), 'Token is blacklisted');
    expect(await sj.revocation.isFamilyBlacklisted(new sj.RefreshToken(refresh).getFamilyId()!)).to.equal(true);
    expect401(await request(app).post(PATH).send({ refresh: first.body.refresh }), 'Token family is blacklisted');
  });

  it('without tokenFamilyBlacklistOnReuse, reuse only fails: the successor keeps working', async () => {
    const { sj, app } = await setup({ tokenFamilyBlacklistOnReuse: false });
    const { refresh } = await pairFor(sj);
    const first = await request(app).post(PATH).send({ refresh });
    expect401(await request(app).post(PATH).send({ refresh }), 'Token is blacklisted');
    expect((await request(app).post(PATH).send({ refresh: first.body.refresh })).status).to.equal(200);
  });

  it('consumed by another request in between (blacklist() answers created = false): reuse, family blacklisted', async () => {
    const { sj } = await setup();
    class Racing extends TokenRefreshSerializer<TestUser> {
      protected override async checkUser(token: RefreshToken) {
        const user = await super.checkUser(token);
        await new sj.RefreshToken(String(token)).blacklist(); // the other request wins here
        return user;
      }
    }
    const app = appWith(tokenRefreshRouter(sj, { serializerClass: Racing }), PATH);
    const { refresh } = await pairFor(sj);
    expect401(await request(app).post(PATH).send({ refresh }), 'Token is blacklisted');
    expect(await sj.revocation.isFamilyBlacklisted(new sj.RefreshToken(refresh).getFamilyId()!)).to.equal(true);
  });

  it('concurrent refreshes of one token: exactly one rotates it', async () => {
    const { sj, app } = await setup({ tokenFamilyBlacklistOnReuse: false });
    const { refresh } = await pairFor(sj);
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(app).post(PATH).send({ refresh })));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).to.have.length(1);
    expect(statuses.filter((s) => s === 401)).to.have.length(7);
    for (const r of answers.filter((a) => a.status === 401)) expect(r.body).to.deep.equal({ detail: 'Token is blacklisted', code: 'token_not_valid' });
  });

  it('the reuse-interval hook: a successor from reuseSuccessor() is answered instead of a reuse', async () => {
    const { sj } = await setup();
    const successors = new Map<string, string>();
    class Remembering extends TokenRefreshSerializer<TestUser> {
      protected override async onRotated(previousJti: string, successor: RefreshToken) {
        successors.set(previousJti, String(successor));
      }
      protected override async reuseSuccessor(token: RefreshToken) {
        const raw = successors.get(token.jti());
        return raw === undefined ? null : new sj.RefreshToken(raw);
      }
    }
    const app = appWith(tokenRefreshRouter(sj, { serializerClass: Remembering }), PATH);
    const { refresh } = await pairFor(sj);
    const first = await request(app).post(PATH).send({ refresh });
    const retry = await request(app).post(PATH).send({ refresh });
    expect(retry.status).to.equal(200);
    expect(retry.body.refresh).to.equal(first.body.refresh);
    expect(await sj.revocation.isFamilyBlacklisted(new sj.RefreshToken(refresh).getFamilyId()!)).to.equal(false);
  });

  it('password changed with checkRevokeToken: 401 password_changed and the token is blacklisted', async () => {
    const { sj, app, users } = await setup({ checkRevokeToken: true });
    const { refresh } = await pairFor(sj);
    users.users.get('1')!.password = 'changed';
    expect401(await request(app).post(PATH).send({ refresh }), "The user's password has been changed.", 'password_changed');
    expect(await sj.revocation.isBlacklisted(new sj.RefreshToken(refresh).jti())).to.equal(true);
  });

  it('rotation without blacklistAfterRotation records the new token but leaves the old one usable', async () => {
    const { sj, app, models } = await setup({ blacklistAfterRotation: false });
    const { refresh } = await pairFor(sj);
    const res = await request(app).post(PATH).send({ refresh });
    expect(await models.OutstandingToken.count({ where: { jti: new sj.RefreshToken(res.body.refresh).jti() } })).to.equal(1);
    expect((await request(app).post(PATH).send({ refresh })).status).to.equal(200);
  });

  it('a blacklisted family: 401 Token family is blacklisted', async () => {
    const { sj, app } = await setup();
    const { refresh } = await pairFor(sj);
    await new sj.RefreshToken(refresh).blacklistFamily();
    expect401(await request(app).post(PATH).send({ refresh }), 'Token family is blacklisted');
  });

  it('an expired family: 401 Token family has expired', async () => {
    const { sj, app, clock } = await setup({ tokenFamilyLifetime: 3600, refreshTokenLifetime: '1d' });
    const { refresh } = await pairFor(sj);
    clock.advance(3601);
    expect401(await request(app).post(PATH).send({ refresh }), 'Token family has expired');
  });

  it('a refresh token minted before families were enabled still refreshes', async () => {
    const { sj, app } = await setup();
    const plain = new sj.RefreshToken();
    plain.set('user_id', '1');
    await plain.outstand();
    const res = await request(app)
      .post(PATH)
      .send({ refresh: String(plain) });
    expect(res.status).to.equal(200);
    expect(new sj.RefreshToken(res.body.refresh).has('family_id')).to.equal(false);
  });
});
