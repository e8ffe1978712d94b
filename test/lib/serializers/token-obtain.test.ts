import { expect } from 'chai';
import type { Request } from 'express';
import {
  AuthenticationFailed,
  RefreshToken,
  SimpleJWT,
  SlidingToken,
  TokenObtainPairSerializer,
  TokenObtainSerializer,
  TokenObtainSlidingSerializer,
  ValidationError,
  type Token,
} from '../../../lib';
import { MASKED_PASSWORD } from '../../../lib/extend';
import { makeSJ, type TestUser } from '../../helpers/fixtures';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** SPEC 5's custom-claims example, typed. */
class MyObtain extends TokenObtainPairSerializer<TestUser> {
  static override async getToken(user: TestUser, sj: SimpleJWT<TestUser>) {
    const t = await super.getToken(user, sj);
    t.set('name', user.username);
    return t;
  }
}

describe('TokenObtainPairSerializer', () => {
  it('answers {refresh, access} for good credentials and keeps the user', async () => {
    const { sj } = makeSJ();
    const serializer = new TokenObtainPairSerializer(sj);
    const body = await serializer.validate({ username: 'alice', password: 'alice-password' });
    expect(Object.keys(body)).to.deep.equal(['refresh', 'access']);
    const refresh = new sj.RefreshToken(body.refresh);
    const access = new sj.AccessToken(body.access);
    expect(refresh.get('user_id')).to.equal('1');
    expect(access.get('user_id')).to.equal('1');
    expect(serializer.user?.username).to.equal('alice');
  });

  it('has Simple JWT statics: tokenClass, defaultErrorMessages, usernameField from the settings', () => {
    const { sj } = makeSJ({ usernameField: 'email' });
    expect(TokenObtainPairSerializer.tokenClass).to.equal(RefreshToken);
    expect(TokenObtainSlidingSerializer.tokenClass).to.equal(SlidingToken);
    expect(TokenObtainSerializer.tokenClass).to.equal(null);
    expect(TokenObtainSerializer.defaultErrorMessages).to.deep.equal({ no_active_account: 'No active account found with the given credentials' });
    const serializer = new TokenObtainPairSerializer(sj);
    expect(serializer.usernameField).to.equal('email');
    expect(serializer.fields).to.deep.equal([{ name: 'email' }, { name: 'password', password: true }]);
  });

  it('lets a subclass choose its own usernameField', () => {
    class ByLogin extends TokenObtainPairSerializer {
      static override usernameField = 'login';
    }
    const { sj } = makeSJ();
    expect(new ByLogin(sj).usernameField).to.equal('login');
  });

  it('SPEC 5 example: getToken() adds a claim to the refresh and the access token', async () => {
    const { sj } = makeSJ();
    const body = await new MyObtain(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(new sj.RefreshToken(body.refresh).get('name')).to.equal('alice');
    expect(new sj.AccessToken(body.access).get('name')).to.equal('alice');
  });

  it('a subclass may override validate() and add to the body', async () => {
    class WithUser extends TokenObtainPairSerializer<TestUser> {
      override async validate(data: unknown) {
        const body = await super.validate(data);
        return { ...body, username: this.user!.username };
      }
    }
    const { sj } = makeSJ();
    const body = await new WithUser(sj).validate({ username: 'bob', password: 'bob-password' });
    expect(body.username).to.equal('bob');
    expect(body).to.have.keys('refresh', 'access', 'username');
  });

  it('binds an app subclass of RefreshToken to the instance', async () => {
    class LongRefresh extends RefreshToken {
      static override lifetime = 7 * 24 * 60 * 60;
    }
    class LongObtain extends TokenObtainPairSerializer {
      static override tokenClass = LongRefresh;
    }
    const { sj, clock } = makeSJ();
    const body = await new LongObtain(sj).validate({ username: 'alice', password: 'alice-password' });
    const refresh = new sj.RefreshToken(body.refresh);
    expect(refresh.get('exp')).to.equal(Math.floor(clock.now().getTime() / 1000) + 7 * 24 * 60 * 60);
    const again = await new LongObtain(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(new sj.RefreshToken(again.refresh).get('exp')).to.equal(refresh.get('exp'));
  });

  it('refuses wrong credentials and inactive users with 401 no_active_account', async () => {
    const { sj } = makeSJ();
    for (const data of [
      { username: 'alice', password: 'wrong' },
      { username: 'nobody', password: 'x' },
      { username: 'carol', password: 'carol-password' },
    ]) {
      const err = await rejection(new TokenObtainPairSerializer(sj).validate(data));
      expect(err).to.be.instanceOf(AuthenticationFailed);
      expect((err as AuthenticationFailed).toJSON()).to.deep.equal({ detail: 'No active account found with the given credentials', code: 'no_active_account' });
    }
  });

  it('accepts an inactive user when checkUserIsActive is off', async () => {
    const { sj } = makeSJ({ checkUserIsActive: false });
    const body = await new TokenObtainPairSerializer(sj).validate({ username: 'carol', password: 'carol-password' });
    expect(body).to.have.keys('refresh', 'access');
  });

  it('applies a custom userAuthenticationRule', async () => {
    const { sj } = makeSJ({ userAuthenticationRule: (user) => user !== null && user.username !== 'bob' });
    expect(await rejection(new TokenObtainPairSerializer(sj).validate({ username: 'bob', password: 'bob-password' }))).to.be.instanceOf(AuthenticationFailed);
    expect(await new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'alice-password' })).to.have.keys('refresh', 'access');
  });

  it('passes the trimmed credentials and the request to users.authenticate()', async () => {
    const { sj, users } = makeSJ();
    const seen: Array<[Record<string, string>, Request | undefined]> = [];
    const original = users.authenticate.bind(users);
    users.authenticate = async (credentials, req) => {
      seen.push([{ ...credentials }, req]);
      return original(credentials, req);
    };
    const req = { marker: true } as unknown as Request;
    await new TokenObtainPairSerializer(sj).validate({ username: ' alice ', password: ' alice-password\n' }, { req });
    expect(seen).to.deep.equal([[{ username: 'alice', password: 'alice-password' }, req]]);
  });

  it('calls onLoginFailed with the password masked, and the request', async () => {
    const calls: unknown[][] = [];
    const { sj } = makeSJ({ usernameField: 'username', onLoginFailed: (credentials, req) => void calls.push([credentials, req]) });
    const req = { marker: true } as unknown as Request;
    await rejection(new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'hunter2' }, { req }));
    expect(calls).to.deep.equal([[{ username: 'alice', password: MASKED_PASSWORD }, req]]);
    expect(JSON.stringify(calls)).not.to.include('hunter2');
  });

  it('does not call onLoginFailed on success, nor on a 400', async () => {
    let calls = 0;
    const { sj } = makeSJ({ onLoginFailed: () => void calls++ });
    await new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'alice-password' });
    await rejection(new TokenObtainPairSerializer(sj).validate({ username: 'alice' }));
    expect(calls).to.equal(0);
  });

  it('updateLastLogin: updates the last login through the store on success only', async () => {
    const { sj, users } = makeSJ({ updateLastLogin: true });
    await rejection(new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'nope' }));
    expect(users.users.get('1')!.lastLogin).to.equal(undefined);
    await new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(users.users.get('1')!.lastLogin).to.be.instanceOf(Date);
  });

  it('without updateLastLogin the last login is left alone', async () => {
    const { sj, users } = makeSJ();
    await new TokenObtainPairSerializer(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(users.users.get('1')!.lastLogin).to.equal(undefined);
  });

  it('calls a custom onLoginSuccess with the user and request', async () => {
    const calls: unknown[] = [];
    const { sj } = makeSJ({ onLoginSuccess: (user, req) => void calls.push(user.username, req) });
    const req = {} as Request;
    await new TokenObtainSlidingSerializer(sj).validate({ username: 'bob', password: 'bob-password' }, { req });
    expect(calls).to.deep.equal(['bob', req]);
  });

  it('reports field errors as a 400 ValidationError, the password never echoed', async () => {
    const { sj } = makeSJ();
    const err = await rejection(new TokenObtainPairSerializer(sj).validate({ username: [], password: '   ' }));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).status).to.equal(400);
    expect((err as ValidationError).toJSON()).to.deep.equal({ username: ['Not a valid string.'], password: ['This field may not be blank.'] });
  });
});

describe('TokenObtainSlidingSerializer', () => {
  it('answers {token}: a sliding token with refresh_exp', async () => {
    const { sj, clock } = makeSJ();
    const body = await new TokenObtainSlidingSerializer(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(Object.keys(body)).to.deep.equal(['token']);
    const token = new sj.SlidingToken(body.token);
    expect(token.get('refresh_exp')).to.equal(Math.floor(clock.now().getTime() / 1000) + 24 * 60 * 60);
    expect(token.get('user_id')).to.equal('1');
  });

  it('getToken() is the custom-claims point here too', async () => {
    class Named extends TokenObtainSlidingSerializer<TestUser> {
      static override async getToken(user: TestUser, sj: SimpleJWT<TestUser>): Promise<Token> {
        const token = await super.getToken(user, sj);
        token.set('name', user.username.toUpperCase());
        return token;
      }
    }
    const { sj } = makeSJ();
    const body = await new Named(sj).validate({ username: 'alice', password: 'alice-password' });
    expect(new sj.SlidingToken(body.token).get('name')).to.equal('ALICE');
  });
});
