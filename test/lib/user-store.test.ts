import { expect } from 'chai';
import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type CreationOptional } from 'sequelize';
import request from 'supertest';
import express from 'express';
import { Passport } from 'passport';
import { JWTStrategy, SimpleJWT, errorHandler, jwtAuth } from '../../lib';
import { sequelizeUserStore } from '../../models';
import { djangoTimestampSql, openTestDatabase, useTestDatabase } from '../helpers/database';
import { SECRET } from '../helpers/fixtures';
import { appWith } from '../helpers/http';

class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare password: string;
  declare is_active: CreationOptional<boolean>;
  declare last_login: CreationOptional<Date | null>;
}

/** The test database (SQLite, or TEST_DATABASE_URL's server) with a Django-like user table. */
async function database() {
  const { sequelize } = await openTestDatabase({ migrate: false });
  // Each test defines the model on its own Sequelize instance.
  const Users = class extends User {};
  Users.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      username: { type: DataTypes.STRING, unique: true, allowNull: false },
      password: { type: DataTypes.STRING, allowNull: false },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      last_login: { type: DataTypes.DATE, allowNull: true },
    },
    { sequelize, tableName: 'auth_user', timestamps: false, modelName: 'User' },
  );
  await sequelize.sync();
  const alice = await Users.create({ username: 'alice', password: 'hash:alice-pw' });
  const carol = await Users.create({ username: 'carol', password: 'hash:carol-pw', is_active: false });
  const verifyPassword = (plain: string, user: User) => user.password === `hash:${plain}`;
  return { sequelize, Users, alice, carol, verifyPassword };
}

describe('sequelizeUserStore (on the test database)', () => {
  useTestDatabase(); // closes (and removes) each test's database after it
  it('findById finds by primary key given as a string, null when absent', async () => {
    const { sequelize, Users, alice, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword });
      expect((await store.findById(String(alice.id)))?.username).to.equal('alice');
      expect(await store.findById('999')).to.equal(null);
    } finally {
      await sequelize.close();
    }
  });

  it('accountIdOf resolves a username as the database compares it (the throttle counts that account), null when no user has it', async () => {
    const { sequelize, Users, alice, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword });
      expect(await store.accountIdOf!('alice')).to.equal(String(alice.id));
      expect(await store.accountIdOf!('nobody')).to.equal(null);
      // MariaDB and MySQL compare case-insensitively: the same account, as at login.
      if (sequelize.getDialect() === 'mysql' || sequelize.getDialect() === 'mariadb') expect(await store.accountIdOf!('ALICE')).to.equal(String(alice.id));
    } finally {
      await sequelize.close();
    }
  });

  it('findById gives the user findByPk gives: booleans, dates, JSON, nulls with their types, a saved record', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      for (const extra of [{}, { score: { type: DataTypes.FLOAT } }] as Array<Record<string, { type: DataTypes.DataType }>>) {
        // The second model has a column type the driver path does not read itself: Sequelize reads that row.
        class Person extends Model {}
        Person.init(
          {
            id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
            username: DataTypes.STRING,
            password: DataTypes.STRING,
            is_active: DataTypes.BOOLEAN,
            is_staff: DataTypes.BOOLEAN,
            date_joined: DataTypes.DATE,
            last_login: DataTypes.DATE,
            birthday: DataTypes.DATEONLY,
            settings: DataTypes.JSON,
            external_id: DataTypes.BIGINT,
            ...extra,
          },
          { sequelize, tableName: 'people', timestamps: false },
        );
        await Person.sync({ force: true });
        const created = await Person.create({
          username: 'dora',
          password: 'x',
          is_active: true,
          is_staff: false,
          date_joined: new Date('2021-03-04T05:06:07.089Z'),
          last_login: null,
          birthday: '1990-05-06',
          settings: { theme: 'dark', n: [1, 2] },
          external_id: 1234567,
          ...('score' in extra ? { score: 2.5 } : {}),
        });
        const store = sequelizeUserStore(Person, { verifyPassword: () => false });
        const found = await store.findById(String(created.get('id')));
        const expected = await Person.findByPk(created.get('id') as number);
        expect(found).to.be.instanceOf(Person);
        const plain = found!.get({ plain: true });
        expect(plain).to.deep.equal(expected!.get({ plain: true }));
        expect(plain.is_active).to.equal(true);
        expect(plain.is_staff).to.equal(false);
        expect(plain.date_joined).to.be.instanceOf(Date);
        expect((plain.date_joined as Date).toISOString()).to.equal(
          sequelize.getDialect() === 'mysql' || sequelize.getDialect() === 'mariadb' ? '2021-03-04T05:06:07.000Z' : '2021-03-04T05:06:07.089Z',
        );
        expect(plain.settings).to.deep.equal({ theme: 'dark', n: [1, 2] });
        expect(found!.isNewRecord).to.equal(false);
        expect(found!.changed()).to.equal(false);
        // A record the app can update as one from findByPk.
        found!.set('is_staff', true);
        await found!.save();
        expect((await Person.findByPk(created.get('id') as number))!.get('is_staff')).to.equal(true);
      }
    } finally {
      await sequelize.close();
    }
  });

  it('an integer key given a non-numeric or out-of-range id finds no user without asking the database', async () => {
    const { sequelize, Users, verifyPassword } = await database();
    const store = sequelizeUserStore(Users, { verifyPassword });
    await sequelize.close();
    // The database is closed: any query would reject. These must not query.
    for (const id of ['abc', '1abc', '1.5', '', ' 1', '99999999999', '-2147483649', '1e3']) {
      expect(await store.findById(id), JSON.stringify(id)).to.equal(null);
    }
    let caught: unknown;
    await store.findById('1').catch((err) => (caught = err));
    expect(caught, 'a valid id does query (and fails on the closed database)').to.be.instanceOf(Error);
  });

  it('authenticate() checks the password with verifyPassword (sync or async)', async () => {
    const { sequelize, Users, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword });
      expect((await store.authenticate({ username: 'alice', password: 'alice-pw' }))?.username).to.equal('alice');
      expect(await store.authenticate({ username: 'alice', password: 'wrong' })).to.equal(null);
      expect(await store.authenticate({ username: 'nobody', password: 'alice-pw' })).to.equal(null);
      expect(await store.authenticate({ username: 'alice' })).to.equal(null);
      const asyncStore = sequelizeUserStore(Users, { verifyPassword: async (p, u) => verifyPassword(p, u) });
      expect((await asyncStore.authenticate({ username: 'alice', password: 'alice-pw' }))?.username).to.equal('alice');
    } finally {
      await sequelize.close();
    }
  });

  it('an unknown username still runs verifyPassword on a stored hash, so timing does not reveal which users exist', async () => {
    const { sequelize, Users, verifyPassword } = await database();
    try {
      const checked: string[] = [];
      const store = sequelizeUserStore(Users, {
        verifyPassword: (plain, user) => {
          checked.push(user.password);
          return verifyPassword(plain, user);
        },
      });
      // Even the stored user's own password gets nobody in under another name.
      expect(await store.authenticate({ username: 'nobody', password: 'alice-pw' })).to.equal(null);
      expect(await store.authenticate({ username: 'alice', password: 'wrong' })).to.equal(null);
      expect(checked).to.deep.equal(['hash:alice-pw', 'hash:alice-pw']);
    } finally {
      await sequelize.close();
    }
  });

  it('uses usernameField and passwordField', async () => {
    const { sequelize, Users, alice } = await database();
    try {
      const store = sequelizeUserStore(Users, { usernameField: 'username', passwordField: 'password', verifyPassword: () => true });
      expect(store.getPasswordHash!(alice)).to.equal('hash:alice-pw');
    } finally {
      await sequelize.close();
    }
  });

  it('updateLastLogin() writes last_login', async () => {
    const { sequelize, Users, alice, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword });
      await store.updateLastLogin!(alice);
      const fresh = await Users.findByPk(alice.id);
      expect(fresh?.last_login).to.be.instanceOf(Date);
    } finally {
      await sequelize.close();
    }
  });

  it('needs verifyPassword', () => {
    expect(() => sequelizeUserStore(User, {} as never)).to.throw(TypeError, "passport-simplejwt: sequelizeUserStore needs 'verifyPassword'");
  });

  it('drives JWTStrategy end to end: active, inactive (is_active), revoked by a password change', async () => {
    const { sequelize, Users, alice, carol, verifyPassword } = await database();
    try {
      const sj = new SimpleJWT({ signingKey: SECRET, users: sequelizeUserStore(Users, { verifyPassword }), checkRevokeToken: true });
      const app = appWith(new JWTStrategy(sj), 'jwtAuth');
      const aliceToken = String(await sj.AccessToken.forUser(alice));
      const ok = await request(app).get('/me').set('Authorization', `Bearer ${aliceToken}`);
      expect(ok.status).to.equal(200);
      expect(ok.body.user.username).to.equal('alice');
      const inactive = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${await sj.AccessToken.forUser(carol)}`);
      expect(inactive.body).to.deep.equal({ detail: 'User is inactive', code: 'user_inactive' });
      await alice.update({ password: 'hash:new-pw' });
      const revoked = await request(app).get('/me').set('Authorization', `Bearer ${aliceToken}`);
      expect(revoked.body).to.deep.equal({ detail: "The user's password has been changed.", code: 'password_changed' });
    } finally {
      await sequelize.close();
    }
  });

  it("res.json(req.user) never shows the password hash (findById's and authenticate's users), while checkRevokeToken still reads it", async () => {
    const { sequelize, Users, alice, verifyPassword } = await database();
    try {
      const users = sequelizeUserStore(Users, { verifyPassword });
      const sj = new SimpleJWT({ signingKey: SECRET, users, checkRevokeToken: true });
      const passport = new Passport();
      passport.use(new JWTStrategy(sj));
      const app = express();
      app.get('/me', jwtAuth('passport-simplejwt', { passport }), (req, res) => {
        res.json(req.user);
      });
      app.use(errorHandler());
      const token = String(await sj.AccessToken.forUser(alice));
      const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).to.equal(200);
      expect(res.body.username).to.equal('alice');
      expect(res.body).to.not.have.property('password');
      expect(JSON.stringify(res.body)).to.not.include('hash:alice-pw');
      const loggedIn = await users.authenticate({ username: 'alice', password: 'alice-pw' });
      expect(JSON.parse(JSON.stringify(loggedIn)))
        .to.deep.include({ username: 'alice' })
        .and.not.have.property('password');
      expect(loggedIn!.get('password'), 'the hash stays readable for the checks').to.equal('hash:alice-pw');
      // A user store with `attributes` too.
      const some = sequelizeUserStore(Users, { verifyPassword, attributes: ['username'] });
      expect(JSON.parse(JSON.stringify(await some.findById(String(alice.id))))).to.not.have.property('password');
      await alice.update({ password: 'hash:new-pw' });
      const revoked = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
      expect(revoked.body).to.deep.equal({ detail: "The user's password has been changed.", code: 'password_changed' });
    } finally {
      await sequelize.close();
    }
  });

  it('a token whose user_id is not a number finds no user: 401 user_not_found, not a 503', async () => {
    const { sequelize, Users, verifyPassword } = await database();
    try {
      const sj = new SimpleJWT({ signingKey: SECRET, users: sequelizeUserStore(Users, { verifyPassword }) });
      const token = new sj.AccessToken();
      token.set('user_id', 'DROP TABLE auth_user');
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ detail: 'User not found', code: 'user_not_found' });
    } finally {
      await sequelize.close();
    }
  });
});

describe('sequelizeUserStore: keys, options and model shapes', () => {
  useTestDatabase();

  /** A store over a model whose primary key is `key`, on a database already closed: an id that queries rejects, one that does not answers null. */
  async function closedStoreWithKey(key: DataTypes.DataType) {
    const { sequelize } = await openTestDatabase({ migrate: false });
    class Keyed extends Model {}
    Keyed.init(
      { id: { type: key, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING },
      { sequelize, tableName: 'auth_user', timestamps: false },
    );
    const store = sequelizeUserStore(Keyed, { verifyPassword: () => false });
    await sequelize.close();
    return async (id: unknown): Promise<'queried' | null> => {
      try {
        return (await store.findById(id as string)) === null ? null : 'queried';
      } catch {
        return 'queried';
      }
    };
  }

  it("an id outside the integer key type's range finds no user without a query; the bounds themselves are looked up", async () => {
    const cases: Array<[DataTypes.DataType, string[], string[]]> = [
      [DataTypes.TINYINT, ['-128', '127'], ['-129', '128']],
      [DataTypes.SMALLINT, ['-32768', '32767'], ['-32769', '32768']],
      [DataTypes.MEDIUMINT, ['-8388608', '8388607'], ['-8388609', '8388608']],
      [DataTypes.INTEGER, ['-2147483648', '2147483647', '0', '-7'], ['-2147483649', '2147483648']],
      [DataTypes.BIGINT, ['-9223372036854775808', '9223372036854775807'], ['-9223372036854775809', '9223372036854775808', '123456789012345678901']],
      [DataTypes.INTEGER.UNSIGNED, ['0', '4294967295'], ['-1', '4294967296']],
      [DataTypes.SMALLINT.UNSIGNED, ['0', '65535'], ['-1', '65536']],
    ];
    for (const [type, inRange, outOfRange] of cases) {
      const lookup = await closedStoreWithKey(type);
      for (const id of inRange) expect(await lookup(id), `${String(type)} ${id}`).to.equal('queried');
      for (const id of outOfRange) expect(await lookup(id), `${String(type)} ${id}`).to.equal(null);
      // Only a string is an id.
      expect(await lookup(1)).to.equal(null);
    }
  });

  it('a UUID key takes a UUID (any case, with or without dashes) and nothing else; another key type takes up to 255 characters', async () => {
    const uuid = await closedStoreWithKey(DataTypes.UUID);
    for (const id of ['0f8fad5b-d9cb-469f-a165-70867728950e', '0F8FAD5BD9CB469FA16570867728950E']) expect(await uuid(id), id).to.equal('queried');
    for (const id of [
      '0f8fad5b-d9cb-469f-a165-70867728950',
      '0f8fad5b-d9cb-469f-a165-70867728950e0',
      'xf8fad5b-d9cb-469f-a165-70867728950e',
      ' 0f8fad5b-d9cb-469f-a165-70867728950e',
      '42',
    ])
      expect(await uuid(id), id).to.equal(null);
    const text = await closedStoreWithKey(DataTypes.STRING);
    expect(await text('x'.repeat(255))).to.equal('queried');
    expect(await text('')).to.equal('queried');
    expect(await text('x'.repeat(256))).to.equal(null);
  });

  it('a model with a default scope or soft deletes is read through findByPk, so the scope applies to findById', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      const attributes = {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        username: DataTypes.STRING,
        password: DataTypes.STRING,
        is_active: DataTypes.BOOLEAN,
      };
      class Scoped extends Model {}
      Scoped.init(attributes, { sequelize, tableName: 'auth_user', timestamps: false, defaultScope: { where: { is_active: true } } });
      await Scoped.sync({ force: true });
      const hidden = await Scoped.create({ username: 'hidden', password: 'x', is_active: false });
      const shown = await Scoped.create({ username: 'shown', password: 'x', is_active: true });
      const scoped = sequelizeUserStore(Scoped, { verifyPassword: () => true });
      expect(await scoped.findById(String(hidden.get('id')))).to.equal(null);
      expect((await scoped.findById(String(shown.get('id'))))?.get('username')).to.equal('shown');

      class SoftDeleted extends Model {}
      SoftDeleted.init(
        { ...attributes, deletedAt: DataTypes.DATE },
        { sequelize, tableName: 'auth_user', timestamps: true, paranoid: true, createdAt: false, updatedAt: false },
      );
      await SoftDeleted.sync({ force: true });
      const gone = await SoftDeleted.create({ username: 'gone', password: 'x', is_active: true });
      const kept = await SoftDeleted.create({ username: 'kept', password: 'x', is_active: true });
      await gone.destroy();
      const soft = sequelizeUserStore(SoftDeleted, { verifyPassword: () => true });
      expect(await soft.findById(String(gone.get('id')))).to.equal(null);
      expect((await soft.findById(String(kept.get('id'))))?.get('username')).to.equal('kept');
    } finally {
      await sequelize.close();
    }
  });

  it("'attributes' loads those, the key, is_active/isActive and the password field, and no other column; a column's own name (field) is read", async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      class Person extends Model {}
      Person.init(
        {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, field: 'person_id' },
          username: DataTypes.STRING,
          password: DataTypes.STRING,
          isActive: { type: DataTypes.BOOLEAN, field: 'active' },
          email: { type: DataTypes.STRING, field: 'email_address' },
          bio: DataTypes.TEXT,
        },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Person.sync({ force: true });
      const created = await Person.create({ username: 'erin', password: 'hash', isActive: true, email: 'erin@example.com', bio: 'long text' });
      const id = String(created.get('id'));

      const some = sequelizeUserStore(Person, { verifyPassword: () => true, attributes: ['email'] });
      const user = await some.findById(id);
      expect(user!.get({ plain: true })).to.deep.equal({ id: Number(id), isActive: true, password: 'hash', email: 'erin@example.com' });

      const all = sequelizeUserStore(Person, { verifyPassword: () => true });
      expect((await all.findById(id))!.get({ plain: true })).to.deep.equal({
        id: Number(id),
        username: 'erin',
        password: 'hash',
        isActive: true,
        email: 'erin@example.com',
        bio: 'long text',
      });
      expect(() => sequelizeUserStore(Person, { verifyPassword: () => true, attributes: ['email', 'nickname'] })).to.throw(
        TypeError,
        "passport-simplejwt: sequelizeUserStore 'attributes': the model has no attribute 'nickname'",
      );
    } finally {
      await sequelize.close();
    }
  });

  it('usernameField and passwordField name other attributes: login, the hash, accountIdOf and the hidden field follow them', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      class Member extends Model {}
      Member.init(
        {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          email: DataTypes.STRING,
          hash: DataTypes.STRING,
          password: DataTypes.STRING,
        },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Member.sync({ force: true });
      // `password` is a column the store must not read: the hash is in `hash`.
      const frank = await Member.create({ email: 'frank@example.com', hash: 'h:frank', password: 'not-the-hash' });
      const store = sequelizeUserStore(Member, {
        usernameField: 'email',
        passwordField: 'hash',
        verifyPassword: (plain, user) => user.get('hash') === `h:${plain}`,
      });
      const user = await store.authenticate({ email: 'frank@example.com', password: 'frank' });
      expect(user?.get('id')).to.equal(frank.get('id'));
      expect(await store.authenticate({ username: 'frank@example.com', password: 'frank' })).to.equal(null);
      expect(await store.authenticate({ email: 'frank@example.com', password: 'not-the-hash' })).to.equal(null);
      expect(store.getPasswordHash!(user!)).to.equal('h:frank');
      expect(JSON.parse(JSON.stringify(user)))
        .to.deep.include({ email: 'frank@example.com', password: 'not-the-hash' })
        .and.not.have.property('hash');
      expect(await store.accountIdOf!('frank@example.com')).to.equal(String(frank.get('id')));
      const found = await store.findById(String(frank.get('id')));
      expect(JSON.parse(JSON.stringify(found))).to.not.have.property('hash');
      expect(found!.get('hash')).to.equal('h:frank');
    } finally {
      await sequelize.close();
    }
  });

  it('an unknown username with no user stored checks no password; a user without a hash has an empty one', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      class Nobody extends Model {}
      Nobody.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, username: DataTypes.STRING, password: DataTypes.STRING },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Nobody.sync({ force: true });
      let checks = 0;
      const store = sequelizeUserStore(Nobody, {
        verifyPassword: () => {
          checks += 1;
          return true;
        },
      });
      expect(await store.authenticate({ username: 'ghost', password: 'pw' })).to.equal(null);
      expect(checks).to.equal(0);
      expect(await store.authenticate({ username: 'ghost', password: 42 } as never)).to.equal(null);
      expect(await store.authenticate({ username: ['ghost'], password: 'pw' } as never)).to.equal(null);
      const bare = await Nobody.create({ username: 'bare', password: null });
      expect(store.getPasswordHash!(bare)).to.equal('');
      // With a user stored, the decoy is that user: a wrong username is checked against it.
      expect(await store.authenticate({ username: 'ghost', password: 'pw' })).to.equal(null);
      expect(checks).to.equal(1);
    } finally {
      await sequelize.close();
    }
  });

  it('updateLastLogin() writes lastLogin on a model that has it (not last_login), the lastLoginField given, and nothing on a model without one', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      const base = { id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true }, username: DataTypes.STRING, password: DataTypes.STRING };
      const lastLoginOf = async (extra: Record<string, DataTypes.DataType>, lastLoginField?: string) => {
        class Someone extends Model {}
        Someone.init({ ...base, ...extra }, { sequelize, tableName: 'auth_user', timestamps: false });
        await Someone.sync({ force: true });
        const user = await Someone.create({ username: 'gina', password: 'x' });
        const store = sequelizeUserStore(Someone, { verifyPassword: () => true, lastLoginField });
        const before = Date.now();
        await store.updateLastLogin!(user);
        const fresh = (await Someone.findByPk(user.get('id') as number))!.get({ plain: true });
        const written = Object.entries(fresh).filter(([, value]) => value instanceof Date && value.getTime() >= before - 1000);
        return written.map(([name]) => name);
      };
      expect(await lastLoginOf({ lastLogin: DataTypes.DATE })).to.deep.equal(['lastLogin']);
      expect(await lastLoginOf({ lastLogin: DataTypes.DATE, last_login: DataTypes.DATE })).to.deep.equal(['last_login']);
      expect(await lastLoginOf({ last_login: DataTypes.DATE, seen_at: DataTypes.DATE }, 'seen_at')).to.deep.equal(['seen_at']);
      expect(await lastLoginOf({})).to.deep.equal([]);
    } finally {
      await sequelize.close();
    }
  });

  it('findById reads a date a Django service wrote (naive UTC, or with an offset) as findByPk does', async () => {
    const { sequelize, dialect } = await openTestDatabase({ migrate: false });
    try {
      class Dated extends Model {}
      Dated.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING, last_login: DataTypes.DATE },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Dated.sync({ force: true });
      const at = new Date('2021-03-04T05:06:07.089Z');
      await sequelize.query(`INSERT INTO auth_user (id, username, password, last_login) VALUES (1, 'naive', 'x', ${djangoTimestampSql(dialect, at)})`);
      // SQLite holds text: an offset in it is kept (Sequelize's own rows carry one).
      if (dialect === 'sqlite')
        await sequelize.query(`INSERT INTO auth_user (id, username, password, last_login) VALUES (2, 'offset', 'x', '2021-03-04 05:06:07.089 +01:00')`);
      const store = sequelizeUserStore(Dated, { verifyPassword: () => false });
      const expected: Record<number, string> = { 1: dialect === 'mysql' ? '2021-03-04T05:06:07.000Z' : at.toISOString(), 2: '2021-03-04T04:06:07.089Z' };
      for (const id of dialect === 'sqlite' ? [1, 2] : [1]) {
        const read = (await store.findById(String(id)))!.get('last_login') as Date;
        expect(read).to.be.instanceOf(Date);
        expect(read.toISOString(), `row ${id}`).to.equal(expected[id]);
        expect(read.toISOString(), `row ${id} as findByPk reads it`).to.equal(((await Dated.findByPk(id))!.get('last_login') as Date).toISOString());
      }
    } finally {
      await sequelize.close();
    }
  });

  it("findById of a model of the common column types is one statement on the driver, not through Sequelize's query layer; another type goes through Sequelize", async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    const logged: string[] = [];
    try {
      for (const [extra, throughSequelize] of [
        [{}, false],
        [{ score: DataTypes.FLOAT }, true],
      ] as Array<[Record<string, DataTypes.DataType>, boolean]>) {
        class Typed extends Model {}
        Typed.init(
          {
            id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
            username: DataTypes.STRING,
            password: DataTypes.TEXT,
            is_active: DataTypes.BOOLEAN,
            last_login: DataTypes.DATE,
            birthday: DataTypes.DATEONLY,
            settings: DataTypes.JSON,
            external_id: DataTypes.BIGINT,
            ...extra,
          },
          { sequelize, tableName: 'auth_user', timestamps: false },
        );
        await Typed.sync({ force: true });
        const created = await Typed.create({
          username: 'ivy',
          password: 'x',
          is_active: true,
          last_login: new Date('2021-01-02T03:04:05.006Z'),
          settings: { a: 1 },
        });
        const store = sequelizeUserStore(Typed, { verifyPassword: () => true });
        (sequelize as unknown as { options: { logging: unknown } }).options.logging = (sql: string) => logged.push(sql);
        const found = await store.findById(String(created.get('id')));
        (sequelize as unknown as { options: { logging: unknown } }).options.logging = false;
        expect(found!.get('settings')).to.deep.equal({ a: 1 });
        expect((found!.get('last_login') as Date).toISOString()).to.equal(
          sequelize.getDialect() === 'mysql' ? '2021-01-02T03:04:05.000Z' : '2021-01-02T03:04:05.006Z',
        );
        expect(logged.length, JSON.stringify(logged)).to.equal(throughSequelize ? 1 : 0);
        logged.length = 0;
      }
    } finally {
      await sequelize.close();
    }
  });

  it('a naive date a Django service wrote is UTC whatever the time zone of the Node process', async () => {
    const { sequelize, dialect } = await openTestDatabase({ migrate: false });
    const tz = process.env.TZ;
    try {
      class Dated extends Model {}
      Dated.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING, last_login: DataTypes.DATE },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Dated.sync({ force: true });
      await sequelize.query(
        `INSERT INTO auth_user (id, username, password, last_login) VALUES (1, 'naive', 'x', ${djangoTimestampSql(dialect, new Date('2021-03-04T05:06:07Z'))})`,
      );
      const store = sequelizeUserStore(Dated, { verifyPassword: () => false });
      for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
        process.env.TZ = zone;
        expect(((await store.findById('1'))!.get('last_login') as Date).toISOString(), zone).to.equal('2021-03-04T05:06:07.000Z');
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
      await sequelize.close();
    }
  });

  it('a text primary key that looks like a number is looked up as the text it is', async () => {
    const { sequelize } = await openTestDatabase({ migrate: false });
    try {
      class Coded extends Model {}
      Coded.init(
        { code: { type: DataTypes.STRING, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING },
        { sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Coded.sync({ force: true });
      await Coded.create({ code: '007', username: 'bond', password: 'x' });
      await Coded.create({ code: '7', username: 'seven', password: 'x' });
      const store = sequelizeUserStore(Coded, { verifyPassword: () => true });
      expect((await store.findById('007'))?.get('username')).to.equal('bond');
      expect((await store.findById('7'))?.get('username')).to.equal('seven');
      expect(await store.findById('07')).to.equal(null);
    } finally {
      await sequelize.close();
    }
  });

  it('options: missing altogether is the same TypeError; a password that is not a string is no login, even for a verifier that accepts anything', async () => {
    expect(() => sequelizeUserStore(User, undefined as never)).to.throw(TypeError, "passport-simplejwt: sequelizeUserStore needs 'verifyPassword'");
    const { sequelize, Users } = await database();
    try {
      let checks = 0;
      const store = sequelizeUserStore(Users, {
        verifyPassword: () => {
          checks += 1;
          return true;
        },
      });
      for (const password of [42, null, undefined, ['alice-pw'], { toString: () => 'alice-pw' }]) {
        expect(await store.authenticate({ username: 'alice', password } as never), String(password)).to.equal(null);
      }
      expect(checks).to.equal(0);
      expect((await store.authenticate({ username: 'alice', password: 'anything' }))?.username).to.equal('alice');
    } finally {
      await sequelize.close();
    }
  });

  it("updateLastLogin() writes the last login only, not the app's other unsaved changes to the user", async () => {
    const { sequelize, Users, alice, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword });
      alice.username = 'renamed-but-not-saved';
      await store.updateLastLogin!(alice);
      const fresh = (await Users.findByPk(alice.id))!;
      expect(fresh.last_login).to.be.instanceOf(Date);
      expect(fresh.username).to.equal('alice');
    } finally {
      await sequelize.close();
    }
  });

  it("'attributes' always loads is_active (the strategy's check of an inactive user)", async () => {
    const { sequelize, Users, carol, verifyPassword } = await database();
    try {
      const store = sequelizeUserStore(Users, { verifyPassword, attributes: ['username'] });
      const found = await store.findById(String(carol.id));
      expect(found!.get({ plain: true })).to.deep.equal({ id: carol.id, username: 'carol', password: 'hash:carol-pw', is_active: false });
    } finally {
      await sequelize.close();
    }
  });
});
