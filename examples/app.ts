import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { type Express } from 'express';
import Passport from 'passport';
import { DataTypes, Sequelize, type Model, type ModelStatic, type Optional } from 'sequelize';
import {
  JWTStrategy,
  SimpleJWT,
  errorHandler,
  jwtAuth,
  sessionsRouter,
  tokenRouter,
  type CookieModeOptions,
  type Duration,
  type KeyInput,
  type SimpleJWTOptions,
} from '../lib';
import { sequelizeUserStore } from '../models';
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
  /** Failed-login throttling. Default {@link DEMO_LOGIN_THROTTLE}; `false` turns it off (the bench compares). */
  loginThrottle?: SimpleJWTOptions['loginThrottle'];
  /** How many password checks run at once. Default the package's (2). */
  loginConcurrency?: number;
  /** The clock (tests move it to expire access tokens). Default the system clock. */
  now?: () => Date;
  /** Access token lifetime. Default Simple JWT's 5 minutes. */
  accessTokenLifetime?: Duration;
}

/**
 * The demo's login throttle, as a production app would set it: 5 failed
 * logins per username, 50 per client address, in 15 minutes; counted in the
 * database, so every process serving the demo's SQLite file shares them.
 */
export const DEMO_LOGIN_THROTTLE = { failures: 5, window: '15m', perAddress: 50, store: 'database' } as const;

/** Where the demo mounts `sessionsRouter` (the page's "your sessions"). */
export const SESSIONS_PATH = '/api/sessions/';

/** Where the login page's cookie-mode token endpoints live (`/api/token/` stays the JSON API of Simple JWT). */
export const SESSION_PATH = '/api/session/';

/**
 * Cookie mode of the login page: tokens never in a body the page's script
 * could read. `secure: false` because the demo serves plain HTTP on
 * 127.0.0.1 (any other host still gets Secure cookies).
 */
export const DEMO_COOKIES: CookieModeOptions = { omitFromBody: true, secure: false };

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
 * Builds the demo: SQLite file (in WAL mode), `User` model with the seeded demo user,
 * SimpleJWT with the blacklist and family apps (migrated), the token
 * endpoints at `/api/token/` and, in cookie mode, at `/api/session/`, the
 * Passport strategy (header or cookie), a protected `GET /api/me/`,
 * `POST /api/logout-all/`, the user's sessions at `/api/sessions/` and the
 * login page at `/`.
 */
export async function createDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: options.storage, logging: options.logging ? console.log : false });
  // Write-ahead logging, as docs/production.md recommends for an SQLite file: reads go on while a rotation commits.
  if (options.storage !== ':memory:') await sequelize.query('PRAGMA journal_mode=WAL');
  const User = defineUser(sequelize);
  await sequelize.sync();
  // Seeded once; an existing demo user keeps its password hash.
  if ((await User.count({ where: { username: DEMO_USERNAME } })) === 0) {
    await User.create({ username: DEMO_USERNAME, password: await hashPassword(DEMO_PASSWORD) });
  }

  // Everything on, as a production app with both of Simple JWT's apps would run it.
  const sj = new SimpleJWT<DemoUser>({
    signingKey: options.signingKey ?? randomBytes(32),
    users: sequelizeUserStore(User, { verifyPassword: (plain, user) => verifyPassword(plain, user.password) }),
    sequelize,
    apps: { blacklist: true, tokenFamily: true },
    authTokenClasses: ['AccessToken', 'SlidingToken'],
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
    updateLastLogin: true,
    tokenFamilyEnabled: true,
    tokenFamilyCheckOnAccess: true,
    tokenFamilyBlacklistOnReuse: true,
    // No working refresh token at rest: the outstanding table keeps sha256:<hex> of each (docs/sessions.md).
    outstandingTokenStorage: 'hash',
    loginThrottle: options.loginThrottle ?? DEMO_LOGIN_THROTTLE,
    ...(options.loginConcurrency === undefined ? {} : { loginConcurrency: options.loginConcurrency }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.accessTokenLifetime === undefined ? {} : { accessTokenLifetime: options.accessTokenLifetime }),
  });
  await sj.migrate();

  // One Passport per app, not the module singleton: several demo apps (tests) can live in one process.
  const passport = new Passport.Authenticator();
  // The Authorization header as always, else the access cookie of the login page (with the CSRF check).
  passport.use(new JWTStrategy(sj, { cookies: DEMO_COOKIES }));
  const auth = jwtAuth('passport-simplejwt', { passport });

  const app = express();
  app.disable('x-powered-by');

  // POST /api/token/, refresh/, verify/, blacklist/, family/blacklist/, sliding/, sliding/refresh/
  app.use('/api/token/', tokenRouter(sj));
  // The same views in cookie mode for the login page, plus /api/session/logout/.
  app.use(SESSION_PATH, tokenRouter(sj, { cookies: DEMO_COOKIES }));
  // The login page at / (plain HTML and a script, no build step).
  app.use(express.static(path.join(__dirname, 'public')));
  // Browsers ask for /favicon.ico before they read the page's <link rel="icon">: no 404 in the console.
  app.get('/favicon.ico', (_req, res) => {
    res.redirect(301, '/favicon.svg');
  });

  app.get('/api/me/', auth, (req, res) => {
    const user = req.user as DemoUser;
    res.json({ id: user.id, username: user.username });
  });

  // "Your sessions": list the caller's devices, log one out (DELETE /<id>/) or all the others (POST /revoke-others/).
  // The same guard as /api/me/: the Authorization header, or the access cookie with its CSRF check.
  app.use(SESSIONS_PATH, auth, sessionsRouter(sj));

  // "Log out everywhere": every refresh token and token family of the caller.
  app.post('/api/logout-all/', auth, async (req, res, next) => {
    try {
      res.json(await sj.revocation.blacklistAllForUser(String((req.user as DemoUser).id)));
    } catch (err) {
      next(err);
    }
  });

  app.use(errorHandler());
  return { app, sj, sequelize, User };
}
