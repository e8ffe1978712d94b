import { expect } from 'chai';
import { DataTypes, Model, Sequelize } from 'sequelize';
import request from 'supertest';
import { JWTStrategy, SimpleJWT, tokenObtainPairRouter, type UserStore } from '../../../lib';
import { SECRET, makeSJ } from '../../helpers/fixtures';
import { appWith as routerApp, expect401 } from '../../helpers/app';
import { appWith as guardedApp } from '../../helpers/http';

const OBTAIN = '/api/token/';

/** The payload of a token the instance just handed out. */
function claimsOf(sj: SimpleJWT<never> | SimpleJWT<unknown>, raw: string): Record<string, unknown> {
  return (new sj.UntypedToken(raw) as unknown as { payload: Record<string, unknown> }).payload;
}

/** A store over plain objects, looked up by `String(user.id)`. */
function objectStore<U extends { id: unknown; username: string; password: string }>(list: U[]): UserStore<U> {
  return {
    async findById(id) {
      return list.find((u) => String(u.id) === id) ?? null;
    },
    async authenticate({ username, password }) {
      return list.find((u) => u.username === username && u.password === password) ?? null;
    },
  };
}

/**
 * The user shapes the user policy reads: ids that are strings (UUIDs) or
 * bigints, a Sequelize instance whose id field is only reachable through
 * `get()`, no user store at all, and a store answering `undefined`.
 */
describe('UserPolicy: the users it reads', function () {
  async function loginAndCall(sj: SimpleJWT<unknown>, username: string, password: string) {
    const obtained = await request(routerApp(tokenObtainPairRouter(sj), OBTAIN))
      .post(OBTAIN)
      .send({ username, password });
    expect(obtained.status, JSON.stringify(obtained.body)).to.equal(200);
    const me = await request(guardedApp(new JWTStrategy(sj)))
      .get('/me')
      .set('Authorization', `Bearer ${obtained.body.access}`);
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
    return { access: obtained.body.access as string, me: me.body as { user: Record<string, unknown> } };
  }

  it('a string id (a UUID): the token carries it, and the request finds the user by it', async function () {
    const uuid = '5f0c2a6e-8d3b-4c1e-9a7f-2b6d4e8c1a30';
    const sj = new SimpleJWT<unknown>({ signingKey: SECRET, users: objectStore([{ id: uuid, username: 'alice', password: 'pw' }]) });
    const { access, me } = await loginAndCall(sj, 'alice', 'pw');
    expect(claimsOf(sj, access).user_id).to.equal(uuid);
    expect(me.user.id).to.equal(uuid);
  });

  it('a bigint id beyond 2^53: the token carries its exact digits', async function () {
    const id = 9007199254740993n; // 2^53 + 1, not representable as a number
    const user = { id, username: 'alice', password: 'pw' };
    const sj = new SimpleJWT<unknown>({ signingKey: SECRET, users: objectStore([user]) });
    const obtained = await request(routerApp(tokenObtainPairRouter(sj), OBTAIN))
      .post(OBTAIN)
      .send({ username: 'alice', password: 'pw' });
    expect(obtained.status, JSON.stringify(obtained.body)).to.equal(200);
    expect(claimsOf(sj, obtained.body.access).user_id).to.equal('9007199254740993');
  });

  it("a Sequelize instance whose userIdField is a query's extra attribute, reachable only through get()", async function () {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    try {
      class Account extends Model {}
      Account.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, username: DataTypes.STRING, password: DataTypes.STRING },
        { sequelize, tableName: 'accounts', timestamps: false },
      );
      await Account.sync();
      await Account.create({ username: 'alice', password: 'pw' });
      const publicId = sequelize.literal("'acct-' || id");
      const withPublicId = { attributes: { include: [[publicId, 'publicId']] as [typeof publicId, string][] } };
      const users: UserStore<Account> = {
        findById: (id) => Account.findOne({ ...withPublicId, where: sequelize.where(publicId, id) }),
        async authenticate({ username, password }) {
          const found = await Account.findOne({ ...withPublicId, where: { username } });
          return found && found.get('password') === password ? found : null;
        },
      };
      const sj = new SimpleJWT<unknown>({ signingKey: SECRET, users: users as UserStore<unknown>, userIdField: 'publicId' });
      const { access } = await loginAndCall(sj, 'alice', 'pw');
      expect(claimsOf(sj, access).user_id).to.equal('acct-1');
    } finally {
      await sequelize.close();
    }
  });

  it('forUser(null): the package TypeError naming the userIdField, not a bare property error', async function () {
    const { sj } = makeSJ();
    for (const nobody of [null, undefined]) {
      const error = await sj.AccessToken.forUser(nobody as never).then(
        () => null,
        (err: unknown) => err as Error,
      );
      expect(error).to.be.instanceOf(TypeError);
      expect(error?.message).to.equal("passport-simplejwt: the user has no usable 'id' (userIdField)");
    }
  });

  describe('an instance without a user store (tokens minted by the app itself)', function () {
    const sj = new SimpleJWT<{ id: number; password?: string; isActive?: boolean }>({ signingKey: SECRET, checkRevokeToken: true });

    it('isUserActive() reads isActive from the user', function () {
      expect(sj.userPolicy.isActive({ id: 1, isActive: false })).to.equal(false);
      expect(sj.userPolicy.isActive({ id: 1 })).to.equal(true);
    });

    it("passwordHashOf() reads the user's password; '' without one, or without a user", function () {
      expect(sj.userPolicy.passwordHashOf({ id: 1, password: 'pbkdf2$hash' })).to.equal('pbkdf2$hash');
      expect(sj.userPolicy.passwordHashOf({ id: 1 })).to.equal('');
      expect(sj.userPolicy.passwordHashOf({ id: 1, password: 42 })).to.equal('');
      expect(sj.userPolicy.passwordHashOf(null)).to.equal('');
    });

    it('forUser() with checkRevokeToken writes the hash claim of the password', async function () {
      const token = await sj.AccessToken.forUser({ id: 7, password: 'pbkdf2$hash' });
      const other = await sj.AccessToken.forUser({ id: 7, password: 'changed' });
      expect(token.get('hash_password')).to.be.a('string').with.length(32);
      expect(token.get('hash_password')).not.to.equal(other.get('hash_password'));
    });
  });

  it('a store whose authenticate() answers undefined for a wrong password: 401 no_active_account, not a 500', async function () {
    const { sj, users } = makeSJ();
    users.authenticate = async () => undefined as never;
    expect(sj.userPolicy.authenticationRule(undefined as never)).to.equal(false);
    expect401(
      await request(routerApp(tokenObtainPairRouter(sj), OBTAIN))
        .post(OBTAIN)
        .send({ username: 'alice', password: 'wrong' }),
      'No active account found with the given credentials',
      'no_active_account',
    );
  });
});
