import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWTStrategy, SimpleJWT, type UserStore } from '../../../lib';
import { SECRET, makeSJ, memoryUsers, type TestUser } from '../../helpers/fixtures';
import { appWith, type GuardMode } from '../../helpers/http';

const CHALLENGE = 'Bearer realm="api"';
const MODES: GuardMode[] = ['authenticate', 'jwtAuth'];

describe('strategies: the user behind the token', () => {
  for (const mode of MODES) {
    describe(`through ${mode}`, () => {
      it('a user that no longer exists: 401 user_not_found', async () => {
        const { sj, users } = makeSJ();
        const raw = String(await sj.AccessToken.forUser(users.users.get('2')!));
        users.users.delete('2');
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal({ detail: 'User not found', code: 'user_not_found' });
      });

      it('an inactive user: 401 user_inactive', async () => {
        const { sj, users } = makeSJ();
        const raw = String(await sj.AccessToken.forUser(users.users.get('3')!));
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal({ detail: 'User is inactive', code: 'user_inactive' });
      });

      it('a token without the user id claim: 401 token_not_valid', async () => {
        const { sj } = makeSJ();
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${new sj.AccessToken()}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal({ detail: 'Token contained no recognizable user identification', code: 'token_not_valid' });
      });

      it('password changed with checkRevokeToken: 401 password_changed', async () => {
        const { sj, users } = makeSJ({ checkRevokeToken: true });
        const alice = users.users.get('1')!;
        const raw = String(await sj.AccessToken.forUser(alice));
        const app = appWith(new JWTStrategy(sj), mode);
        expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).status).to.equal(200);
        alice.password = 'a-new-password-hash';
        const res = await request(app).get('/me').set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal({ detail: "The user's password has been changed.", code: 'password_changed' });
      });

      it('a store whose database refuses connections: 503 service_unavailable, never a pass (fail closed)', async () => {
        const users: UserStore<TestUser> = {
          ...memoryUsers(),
          findById: async () => {
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
          },
        };
        const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users });
        const raw = String(await sj.AccessToken.forUser({ id: 1, username: 'alice', password: 'x', isActive: true }));
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(503);
        expect(res.body).to.deep.equal({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });
        expect(res.text).not.to.contain('ECONNREFUSED');
      });
    });
  }

  it('a token without hash_password is refused with checkRevokeToken (minted before it was on)', async () => {
    const { sj, users } = makeSJ();
    const raw = String(await sj.AccessToken.forUser(users.users.get('1')!));
    const strict = new SimpleJWT<TestUser>({ ...sj.options, checkRevokeToken: true });
    const res = await request(appWith(new JWTStrategy(strict), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${raw}`);
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('password_changed');
  });

  it('with checkUserIsActive off an inactive user passes', async () => {
    const { sj, users } = makeSJ({ checkUserIsActive: false });
    const raw = String(await sj.AccessToken.forUser(users.users.get('3')!));
    const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${raw}`);
    expect(res.status).to.equal(200);
    expect(res.body.user.username).to.equal('carol');
  });

  it("reads is_active (Django's name) and the store's isActive()", async () => {
    const plain = {
      async findById() {
        return { id: 5, is_active: false };
      },
      async authenticate() {
        return null;
      },
    };
    const sj = new SimpleJWT({ signingKey: SECRET, users: plain });
    const raw = String(await sj.AccessToken.forUser({ id: 5 }));
    expect(
      (
        await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`)
      ).body.code,
    ).to.equal('user_inactive');
    const custom = new SimpleJWT({ signingKey: SECRET, users: { ...plain, isActive: () => true } });
    expect(
      (
        await request(appWith(new JWTStrategy(custom), 'jwtAuth'))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`)
      ).status,
    ).to.equal(200);
  });

  it('uses userIdClaim and passes the id to findById as a string', async () => {
    const seen: unknown[] = [];
    const users = {
      ...memoryUsers(),
      async findById(id: string) {
        seen.push(id);
        return memoryUsers().users.get(id) ?? null;
      },
    };
    const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, userIdClaim: 'sub' });
    const raw = String(await sj.AccessToken.forUser(users.users.get('2')!));
    const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${raw}`);
    expect(res.status).to.equal(200);
    expect(seen).to.deep.equal(['2']);
  });

  it('a user_id claim that is present but null: 401 user_not_found (the lookup finds nobody), the store never asked', async () => {
    let asked = false;
    const users = {
      ...memoryUsers(),
      async findById() {
        asked = true;
        return null;
      },
    };
    const { sj, clock } = makeSJ({ users });
    const iat = Math.floor(clock.now().getTime() / 1000);
    const raw = jwt.sign({ token_type: 'access', exp: iat + 60, iat, jti: 'x', user_id: null }, SECRET);
    for (const mode of MODES) {
      const res = await request(appWith(new JWTStrategy(sj), mode))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
      expect(res.body).to.deep.equal({ detail: 'User not found', code: 'user_not_found' });
    }
    expect(asked).to.equal(false);
  });

  for (const [what, userId] of [
    ['an object', { $gt: '' }],
    ['an array', ['1']],
    ['a boolean', true],
  ] as const) {
    it(`a user_id claim that is ${what}: 401 token_not_valid, and the store is never asked`, async () => {
      let asked = false;
      const users = {
        ...memoryUsers(),
        async findById() {
          asked = true;
          return null;
        },
      };
      const { sj, clock } = makeSJ({ users });
      const iat = Math.floor(clock.now().getTime() / 1000);
      const raw = jwt.sign({ token_type: 'access', exp: iat + 60, iat, jti: 'x', user_id: userId }, SECRET);
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ detail: 'Token contained no recognizable user identification', code: 'token_not_valid' });
      expect(asked).to.equal(false);
    });
  }
});
