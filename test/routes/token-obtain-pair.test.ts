import { expect } from 'chai';
import request from 'supertest';
import { RefreshToken, SimpleJWT, TokenObtainPairSerializer, tokenObtainPair, tokenObtainPairRouter } from '../../lib';
import { MASKED_PASSWORD } from '../../lib/extend';
import { makeSJ, memoryUsers, SECRET, type TestUser } from '../helpers/fixtures';
import { appWith, expect400, expect401 } from '../helpers/app';
import express from 'express';

const ALICE = { username: 'alice', password: 'alice-password' };

describe('POST /api/token/ (tokenObtainPairRouter)', () => {
  it('answers 200 {refresh, access} for JSON credentials, not cacheable', async () => {
    const { sj } = makeSJ();
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send(ALICE);
    expect(res.status).to.equal(200);
    expect(Object.keys(res.body)).to.deep.equal(['refresh', 'access']);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.headers.allow).to.equal('POST, OPTIONS');
    expect(new sj.RefreshToken(res.body.refresh).get('user_id')).to.equal('1');
    expect(new sj.AccessToken(res.body.access).get('token_type')).to.equal('access');
  });

  it('accepts urlencoded credentials', async () => {
    const { sj } = makeSJ();
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .type('form')
      .send('username=alice&password=alice-password');
    expect(res.status).to.equal(200);
    expect(res.body).to.have.keys('refresh', 'access');
  });

  it('trims the username and the password, as Simple JWT does', async () => {
    const { sj } = makeSJ();
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send({ username: '  alice\n', password: '\talice-password ' });
    expect(res.status).to.equal(200);
  });

  it('turns numbers into strings', async () => {
    const users = memoryUsers([{ id: 7, username: '1234', password: '5678', isActive: true }]);
    const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users });
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send({ username: 1234, password: 5678 });
    expect(res.status).to.equal(200);
    expect(new sj.AccessToken(res.body.access).get('user_id')).to.equal('7');
  });

  it('wrong password, unknown user, inactive user: 401 no_active_account with WWW-Authenticate', async () => {
    const { sj } = makeSJ();
    const app = appWith(tokenObtainPairRouter(sj));
    for (const body of [
      { username: 'alice', password: 'nope' },
      { username: 'zed', password: 'x' },
      { username: 'carol', password: 'carol-password' },
    ]) {
      expect401(await request(app).post('/api/token/').send(body), 'No active account found with the given credentials', 'no_active_account');
    }
  });

  describe('field errors (400)', () => {
    const cases: Array<[string, unknown, Record<string, string[]>]> = [
      ['an empty object', {}, { username: ['This field is required.'], password: ['This field is required.'] }],
      ['a missing password', { username: 'alice' }, { password: ['This field is required.'] }],
      ['a blank username', { username: '', password: 'x' }, { username: ['This field may not be blank.'] }],
      ['a whitespace password', { username: 'alice', password: ' \t ' }, { password: ['This field may not be blank.'] }],
      ['null fields', { username: null, password: null }, { username: ['This field may not be null.'], password: ['This field may not be null.'] }],
      ['a list', { username: ['alice'], password: 'x' }, { username: ['Not a valid string.'] }],
      ['an object (operator injection)', { username: 'alice', password: { $ne: '' } }, { password: ['Not a valid string.'] }],
      ['booleans', { username: true, password: false }, { username: ['Not a valid string.'], password: ['Not a valid string.'] }],
    ];
    for (const [label, body, expected] of cases) {
      it(label, async () => {
        const { sj } = makeSJ();
        expect400(
          await request(appWith(tokenObtainPairRouter(sj)))
            .post('/api/token/')
            .send(body as object),
          expected,
        );
      });
    }

    it('no body at all: both fields required', async () => {
      const { sj } = makeSJ();
      expect400(await request(appWith(tokenObtainPairRouter(sj))).post('/api/token/'), {
        username: ['This field is required.'],
        password: ['This field is required.'],
      });
    });
  });

  it('custom usernameField: the field is named after it, errors too', async () => {
    const users = memoryUsers();
    users.authenticate = async (credentials) =>
      [...users.users.values()].find((u) => `${u.username}@example.com` === credentials.email && u.password === credentials.password) ?? null;
    const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, usernameField: 'email' });
    const app = appWith(tokenObtainPairRouter(sj));
    expect((await request(app).post('/api/token/').send({ email: 'alice@example.com', password: 'alice-password' })).status).to.equal(200);
    expect400(await request(app).post('/api/token/').send(ALICE), { email: ['This field is required.'] });
  });

  it('updateLastLogin: the store records the login', async () => {
    const { sj, users } = makeSJ({ updateLastLogin: true });
    await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send(ALICE)
      .expect(200);
    expect(users.users.get('1')!.lastLogin).to.be.instanceOf(Date);
  });

  it('onLoginSuccess replaces the last-login update: a hook gets the user and the request, null does nothing', async () => {
    const seen: Array<[number, string | undefined]> = [];
    const hooked = makeSJ({ updateLastLogin: true, onLoginSuccess: (user, req) => void seen.push([user.id, req?.path]) });
    await request(appWith(tokenObtainPairRouter(hooked.sj)))
      .post('/api/token/')
      .send(ALICE)
      .expect(200);
    expect(seen).to.deep.equal([[1, '/']]);
    expect(hooked.users.users.get('1')!.lastLogin).to.equal(undefined);
    for (const options of [{ updateLastLogin: true, onLoginSuccess: null }, {}]) {
      const { sj, users } = makeSJ(options);
      await request(appWith(tokenObtainPairRouter(sj)))
        .post('/api/token/')
        .send(ALICE)
        .expect(200);
      expect(users.users.get('1')!.lastLogin, JSON.stringify(options)).to.equal(undefined);
    }
  });

  it('userAuthenticationRule decides who may log in, given the user and the instance', async () => {
    const instances: unknown[] = [];
    const { sj } = makeSJ({
      userAuthenticationRule: (user, instance) => {
        instances.push(instance);
        return user !== null && user.username !== 'alice';
      },
    });
    const app = appWith(tokenObtainPairRouter(sj));
    const refused = await request(app).post('/api/token/').send(ALICE);
    expect(refused.status).to.equal(401);
    expect(refused.body.code).to.equal('no_active_account');
    expect((await request(app).post('/api/token/').send({ username: 'bob', password: 'bob-password' })).status).to.equal(200);
    expect(instances).to.deep.equal([sj, sj]);
  });

  it('loginConcurrency: at most that many authenticate() calls run at once, and each finished one frees its slot', async () => {
    for (const loginConcurrency of [1, 2]) {
      const users = memoryUsers();
      const check = users.authenticate.bind(users);
      let running = 0;
      let most = 0;
      users.authenticate = async (credentials, req) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
        return check(credentials, req);
      };
      const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, loginConcurrency });
      const app = appWith(tokenObtainPairRouter(sj));
      const statuses = await Promise.all([0, 1, 2, 3].map(async () => (await request(app).post('/api/token/').send(ALICE)).status));
      expect(statuses).to.deep.equal([200, 200, 200, 200]);
      expect(most, `loginConcurrency ${loginConcurrency}`).to.equal(loginConcurrency);
    }
  });

  it('onLoginFailed gets the credentials with the password masked, and the request', async () => {
    const seen: Array<[Record<string, string>, string | undefined]> = [];
    const { sj } = makeSJ({ onLoginFailed: (credentials, req) => void seen.push([credentials, req?.path]) });
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send({ username: 'alice', password: 'hunter2' });
    expect(res.status).to.equal(401);
    expect(seen).to.deep.equal([[{ username: 'alice', password: MASKED_PASSWORD }, '/']]);
    expect(JSON.stringify(res.body)).not.to.include('hunter2');
  });

  it('checkRevokeToken: the tokens carry hash_password', async () => {
    const { sj } = makeSJ({ checkRevokeToken: true });
    const res = await request(appWith(tokenObtainPairRouter(sj)))
      .post('/api/token/')
      .send(ALICE);
    expect(new sj.RefreshToken(res.body.refresh).get('hash_password')).to.match(/^[0-9A-F]{32}$/);
  });

  describe('a customised serializer adding a claim', () => {
    class NamedObtain extends TokenObtainPairSerializer<TestUser> {
      static override async getToken(user: TestUser, sj: SimpleJWT<TestUser>): Promise<RefreshToken> {
        const token = await super.getToken(user, sj);
        token.set('name', user.username);
        return token;
      }
    }

    it('through opts.serializerClass', async () => {
      const { sj } = makeSJ();
      const res = await request(appWith(tokenObtainPairRouter(sj, { serializerClass: NamedObtain })))
        .post('/api/token/')
        .send(ALICE);
      expect(new sj.RefreshToken(res.body.refresh).get('name')).to.equal('alice');
      expect(new sj.AccessToken(res.body.access).get('name')).to.equal('alice');
    });

    it('through the tokenObtainPairSerializer setting, and Simple JWT’s tokenObtainSerializer name', async () => {
      for (const setting of ['tokenObtainPairSerializer', 'tokenObtainSerializer'] as const) {
        const { sj } = makeSJ({ [setting]: NamedObtain });
        const res = await request(appWith(tokenObtainPairRouter(sj)))
          .post('/api/token/')
          .send(ALICE);
        expect(new sj.AccessToken(res.body.access).get('name'), setting).to.equal('alice');
      }
    });

    it('opts.serializerClass wins over the setting', async () => {
      const { sj } = makeSJ({ tokenObtainPairSerializer: NamedObtain });
      const res = await request(appWith(tokenObtainPairRouter(sj, { serializerClass: TokenObtainPairSerializer })))
        .post('/api/token/')
        .send(ALICE);
      expect(new sj.AccessToken(res.body.access).has('name')).to.equal(false);
    });

    it('a subclass overriding validate() adds to the body', async () => {
      class WithName extends TokenObtainPairSerializer<TestUser> {
        override async validate(data: unknown) {
          return { ...(await super.validate(data)), username: this.user!.username };
        }
      }
      const { sj } = makeSJ();
      const res = await request(appWith(tokenObtainPairRouter(sj, { serializerClass: WithName })))
        .post('/api/token/')
        .send(ALICE);
      expect(res.body.username).to.equal('alice');
    });
  });

  it('refuses a serializer setting that is not a serializer class, naming it', () => {
    // Refused by the constructor, before any router is built (#12).
    expect(() => makeSJ({ tokenObtainPairSerializer: 'myapp.serializers.Obtain' as never })).to.throw(
      TypeError,
      "passport-simplejwt: 'tokenObtainPairSerializer' must be a serializer class",
    );
    const { sj: sj2 } = makeSJ();
    expect(() => tokenObtainPairRouter(sj2, { serializerClass: {} as never })).to.throw(TypeError, "'serializerClass'");
  });

  it('needs a user store, and says so at construction', () => {
    const sj = new SimpleJWT({ signingKey: SECRET });
    expect(() => tokenObtainPairRouter(sj)).to.throw(TypeError, "needs the 'users' setting");
  });

  it("sj.authenticate() without a user store rejects, naming the 'users' setting", async () => {
    const sj = new SimpleJWT({ signingKey: SECRET });
    const err = await sj.authenticate(ALICE).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    expect((err as Error).message).to.equal("passport-simplejwt: this needs the 'users' setting (a UserStore)");
  });

  it('the plain handler works behind an app’s own parser and route', async () => {
    const { sj } = makeSJ();
    const app = express();
    app.post('/login', express.json(), tokenObtainPair(sj));
    const res = await request(app).post('/login').send(ALICE);
    expect(res.status).to.equal(200);
    expect400(await request(app).post('/login'), { username: ['This field is required.'], password: ['This field is required.'] });
  });
});
