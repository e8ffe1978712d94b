import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import Passport from 'passport';
import { DataTypes, Sequelize, type Model, type ModelStatic, type Optional } from 'sequelize';
import { JWTStrategy, SimpleJWT, errorHandler, jwtAuth, sequelizeUserStore, type KeyInput } from '../lib';
import { hashPassword, verifyPassword } from './password';

/** The demo's login, printed at start-up. */
export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

/** Columns of the demo's user table (a subset of Django's `auth_user`). */
export interface DemoUserAttributes {
  id: number;
  username: string;
  password: string;
  is_active: boolean;
  last_login: Date | null;
}

export interface DemoUser extends Model<DemoUserAttributes, Optional<DemoUserAttributes, 'id' | 'is_active' | 'last_login'>>, DemoUserAttributes {}

export type DemoUserModel = ModelStatic<DemoUser>;

/** Options of {@link createDemoApp}. */
export interface DemoAppOptions {
  /** Path of the SQLite file. */
  storage: string;
  /** HMAC key; default a random one (tokens then die with the process). */
  signingKey?: KeyInput;
  /** Log SQL to the console. Default false. */
  logging?: boolean;
}

/** What {@link createDemoApp} builds; the caller decides whether and where to listen. */
export interface DemoApp {
  app: Express;
  sj: SimpleJWT<DemoUser>;
  sequelize: Sequelize;
  User: DemoUserModel;
}

// Defined per Sequelize instance: a model class can only be bound to one.
function defineUser(sequelize: Sequelize): DemoUserModel {
  return sequelize.define<DemoUser>(
    'User',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      username: { type: DataTypes.STRING(150), allowNull: false, unique: true },
      password: { type: DataTypes.STRING(128), allowNull: false },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      last_login: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: 'auth_user', timestamps: false },
  );
}

/**
 * Builds the demo: SQLite file, `User` model with the seeded demo user,
 * SimpleJWT, the Passport strategy and a protected `GET /api/me/`.
 */
export async function createDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: options.storage, logging: options.logging ? console.log : false });
  const User = defineUser(sequelize);
  await sequelize.sync();
  // Seeded once; an existing demo user keeps its password hash.
  if ((await User.count({ where: { username: DEMO_USERNAME } })) === 0) {
    await User.create({ username: DEMO_USERNAME, password: await hashPassword(DEMO_PASSWORD) });
  }

  const sj = new SimpleJWT<DemoUser>({
    signingKey: options.signingKey ?? randomBytes(32),
    users: sequelizeUserStore(User, { verifyPassword: (plain, user) => verifyPassword(plain, user.password) }),
    sequelize,
  });
  // PERSISTENCE: when models/ lands, `await sj.migrate()` goes here (with `apps` enabled above).

  // One Passport per app, not the module singleton: several demo apps (tests) can live in one process.
  const passport = new Passport.Authenticator();
  passport.use(new JWTStrategy(sj));

  const app = express();
  app.disable('x-powered-by');

  // ---- TOKEN ENDPOINTS: mount here when routes/ lands ----------------------
  // app.use('/api/token/', tokenRouter(sj));
  // -------------------------------------------------------------------------

  app.get('/api/me/', jwtAuth('passport-simplejwt', { passport }), (req, res) => {
    const user = req.user as DemoUser;
    res.json({ id: user.id, username: user.username });
  });

  app.use(errorHandler());
  return { app, sj, sequelize, User };
}
