import { expect } from 'chai';
import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type CreationOptional } from 'sequelize';
import request from 'supertest';
import express from 'express';
import { Passport } from 'passport';
import { JWTStrategy, SimpleJWT, errorHandler, jwtAuth } from '../../lib';
import { sequelizeUserStore } from '../../models';
import { openTestDatabase, useTestDatabase } from '../helpers/database';
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
