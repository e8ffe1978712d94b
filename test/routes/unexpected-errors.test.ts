import { timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import express, { type ErrorRequestHandler, type Router } from 'express';
import Passport from 'passport';
import { DataTypes, Model } from 'sequelize';
import request from 'supertest';
import {
  JWTStrategy,
  ServerError,
  SimpleJWT,
  TokenObtainPairSerializer,
  errorHandler,
  jwtAuth,
  tokenRouter,
  type Logger,
  type SimpleJWTOptions,
  type UserStore,
} from '../../lib';
import { sequelizeUserStore } from '../../models';
import { useTestDatabase } from '../helpers/database';
import { SECRET, makeSJ, memoryUsers, type TestUser } from '../helpers/fixtures';
import { pairFor } from '../helpers/app';

const SERVER_ERROR = { detail: 'A server error occurred.', code: 'server_error' };
const LOGIN = { username: 'alice', password: 'alice-password' };

/** A logger that keeps what it was given. */
function recordingLogger(): Logger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { errors, warnings, error: (m: string) => void errors.push(m), warn: (m: string) => void warnings.push(m) };
}

/**
 * An app as users write it: the package's routes, then the app's own error
 * middleware (which records what reaches it), then errorHandler().
 */
function appWithOwnErrorMiddleware(mount: (app: express.Express) => void, handlerLogger?: Logger) {
  const seen: unknown[] = [];
  const app = express();
  mount(app);
  const own: ErrorRequestHandler = (err, _req, _res, next) => {
    seen.push(err);
    next(err);
  };
  app.use(own);
  app.use(errorHandler(handlerLogger ? { logger: handlerLogger } : {}));
  return { app, seen };
}

function tokenApp(router: Router) {
  return appWithOwnErrorMiddleware((app) => app.use('/api/token/', router));
}

/** The 500 contract: the body, the error the app's middleware saw, and the log line with the cause. */
function expectServerError(res: request.Response, seen: unknown[], logger: { errors: string[] }, cause: RegExp): ServerError {
  expect(res.status, JSON.stringify(res.body)).to.equal(500);
  expect(res.body).to.deep.equal(SERVER_ERROR);
  expect(res.text).not.to.match(/at .*\.(ts|js):\d+/);
  expect(seen).to.have.length(1);
  const err = seen[0] as ServerError;
  expect(err).to.be.instanceOf(ServerError);
  expect(String((err.cause as Error | undefined)?.message ?? err.cause)).to.match(cause);
  expect(logger.errors).to.have.length(1);
  expect(logger.errors[0]).to.match(cause);
  expect(logger.errors[0]).to.include('Caused by:');
  return err;
}

describe('unexpected errors: 500 through next(err), logged with their cause; outages stay 503', () => {
  describe('the views', () => {
    const openDatabase = useTestDatabase();

    it('forgotten migrate: the log names the missing table and the command that creates it', async () => {
      const db = await openDatabase({ migrate: false });
      const logger = recordingLogger();
      const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true }, logger });
      const { app, seen } = tokenApp(tokenRouter(sj));
      const res = await request(app).post('/api/token/').send(LOGIN);
      expectServerError(res, seen, logger, /token_blacklist_outstandingtoken/);
      expect(logger.errors[0]).to.include('npx passport-simplejwt migrate');
      expect(logger.errors[0]).to.include('sj.migrate()');
    });

    it("the app's own user table missing: the log names it as the app's, to be created by the app's migrations, not by migrate", async () => {
      const db = await openDatabase({ migrate: false });
      class Account extends Model {}
      Account.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING },
        { sequelize: db.sequelize, tableName: 'auth_user', timestamps: false },
      );
      const users = sequelizeUserStore(Account, { verifyPassword: (plain, user) => plain === user.get('password') });
      const logger = recordingLogger();
      const sj = new SimpleJWT({ signingKey: SECRET, users, logger });
      const { app, seen } = tokenApp(tokenRouter(sj));
      expectServerError(await request(app).post('/api/token/').send(LOGIN), seen, logger, /auth_user/);
      expect(logger.errors[0]).to.include("the app's table 'auth_user' does not exist");
      expect(logger.errors[0]).to.include("create it with your app's migrations");
      expect(logger.errors[0]).not.to.include('create them with `npx passport-simplejwt migrate`');
    });

    it('verifyPassword reads a column the model does not have', async () => {
      const db = await openDatabase();
      class Account extends Model {}
      Account.init(
        { id: { type: DataTypes.INTEGER, primaryKey: true }, username: DataTypes.STRING, password: DataTypes.STRING },
        { sequelize: db.sequelize, tableName: 'auth_user', timestamps: false },
      );
      await Account.sync();
      await Account.create({ id: 1, username: 'alice', password: 'alice-password' });
      const users = sequelizeUserStore(Account, {
        // The bug: the column is `password`; Buffer.from(undefined) throws.
        verifyPassword: (plain, user) => timingSafeEqual(Buffer.from(plain), Buffer.from(user.get('password_hash') as string)),
      });
      const logger = recordingLogger();
      const sj = new SimpleJWT({ signingKey: SECRET, users, logger });
      const { app, seen } = tokenApp(tokenRouter(sj));
      expectServerError(await request(app).post('/api/token/').send(LOGIN), seen, logger, /argument must be of type string/);
    });

    it('a custom serializer with a bug', async () => {
      class WithProfile extends TokenObtainPairSerializer<TestUser> {
        override async validate(data: unknown) {
          const body = await super.validate(data);
          const profile = (this.user as unknown as { profile: { name: string } }).profile;
          return { ...body, name: profile.name };
        }
      }
      const logger = recordingLogger();
      const { sj } = makeSJ({ tokenObtainPairSerializer: WithProfile, logger });
      const { app, seen } = tokenApp(tokenRouter(sj));
      expectServerError(await request(app).post('/api/token/').send(LOGIN), seen, logger, /Cannot read properties of undefined \(reading 'name'\)/);
    });

    it('a user store whose users lack id', async () => {
      const store = memoryUsers();
      const users: UserStore<TestUser> = { ...store, authenticate: async () => ({ username: 'alice' }) as unknown as TestUser };
      const logger = recordingLogger();
      const { sj } = makeSJ({ users, logger });
      const { app, seen } = tokenApp(tokenRouter(sj));
      expectServerError(await request(app).post('/api/token/').send(LOGIN), seen, logger, /the user has no usable 'id' \(userIdField\)/);
    });

    it('an onLoginFailed hook that throws', async () => {
      const logger = recordingLogger();
      const { sj } = makeSJ({
        logger,
        onLoginFailed: () => {
          throw new Error('audit log is full');
        },
      });
      const { app, seen } = tokenApp(tokenRouter(sj));
      expectServerError(await request(app).post('/api/token/').send({ username: 'alice', password: 'wrong' }), seen, logger, /audit log is full/);
    });

    it('errorHandler({ logger }) overrides the instance logger; without errorHandler the error reaches Express as a 500', async () => {
      const instanceLogger = recordingLogger();
      const handlerLogger = recordingLogger();
      const { sj, users } = makeSJ({ logger: instanceLogger });
      users.authenticate = async () => {
        throw new RangeError('store bug');
      };
      const app = express();
      app.use('/api/token/', tokenRouter(sj));
      app.use(errorHandler({ logger: handlerLogger }));
      expect((await request(app).post('/api/token/').send(LOGIN)).status).to.equal(500);
      expect(instanceLogger.errors).to.deep.equal([]);
      expect(handlerLogger.errors[0]).to.match(/RangeError: store bug/);

      const bare = express();
      bare.set('env', 'test'); // Express's own handler: no stack printed in tests
      bare.use('/api/token/', tokenRouter(sj));
      const res = await request(bare).post('/api/token/').send(LOGIN);
      expect(res.status).to.equal(500);
    });
  });

  describe('the strategy, through jwtAuth() and passport.authenticate()', () => {
    function guarded(sj: SimpleJWT<TestUser>, mode: 'jwtAuth' | 'authenticate') {
      const passport = new Passport.Authenticator();
      passport.use(new JWTStrategy(sj));
      return appWithOwnErrorMiddleware((app) => {
        const guard = mode === 'jwtAuth' ? jwtAuth('passport-simplejwt', { passport }) : passport.authenticate('passport-simplejwt', { session: false });
        app.get('/me', guard, (req, res) => {
          res.json({ id: (req.user as TestUser).id });
        });
      });
    }

    for (const mode of ['jwtAuth', 'authenticate'] as const) {
      it(`${mode}: a findById bug is a 500 for the app's error middleware; an outage is a 503`, async () => {
        const logger = recordingLogger();
        const { sj, users } = makeSJ({ logger });
        const { access } = await pairFor(sj);
        users.findById = async () => {
          throw new TypeError("Cannot read properties of null (reading 'rows')");
        };
        const { app, seen } = guarded(sj, mode);
        expectServerError(await request(app).get('/me').set('Authorization', `Bearer ${access}`), seen, logger, /reading 'rows'/);

        users.findById = async () => {
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        };
        const down = guarded(sj, mode);
        const res = await request(down.app).get('/me').set('Authorization', `Bearer ${access}`);
        expect(res.status).to.equal(503);
        expect(res.body).to.deep.equal({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });
      });
    }
  });

  it("a jwtFromRequest extractor with a bug: 500 for the app's error middleware, never a pass", async () => {
    const logger = recordingLogger();
    const { sj } = makeSJ({ logger });
    const passport = new Passport.Authenticator();
    passport.use(
      new JWTStrategy(sj, {
        jwtFromRequest: (req) => (req.query as unknown as { t: { trim(): string } }).t.trim(),
      }),
    );
    const { app, seen } = appWithOwnErrorMiddleware((a) => {
      a.get('/me', jwtAuth('passport-simplejwt', { passport }), (_req, res) => {
        res.json({});
      });
    });
    expectServerError(await request(app).get('/me'), seen, logger, /Cannot read properties of undefined \(reading 'trim'\)/);
  });

  describe('jwtAuth(name): the strategy must be registered', () => {
    it('a name nobody registered: 500 at the first request, and the log says how to register it', async () => {
      const logger = recordingLogger();
      const passport = new Passport.Authenticator();
      const { app, seen } = appWithOwnErrorMiddleware((a) => {
        a.get('/me', jwtAuth('jwt', { passport }), (_req, res) => {
          res.json({});
        });
      }, logger);
      const res = await request(app).get('/me');
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal(SERVER_ERROR);
      expect((seen[0] as Error).message).to.include("no Passport strategy named 'jwt' is registered");
      expect((seen[0] as Error).message).to.include("passport.use(new JWTStrategy(sj, { name: 'jwt' }))");
      expect((seen[0] as Error).message).to.include("jwtAuth('jwt', { passport })");
      expect(logger.errors[0]).to.include("no Passport strategy named 'jwt' is registered");
    });

    it('registered after the guard was built (the usual order in apps): it works', async () => {
      const passport = new Passport.Authenticator();
      const { sj } = makeSJ();
      const guard = jwtAuth('jwt', { passport });
      passport.use(new JWTStrategy(sj, { name: 'jwt' }));
      const app = express();
      app.get('/me', guard, (req, res) => {
        res.json({ id: (req.user as TestUser).id });
      });
      const { access } = await pairFor(sj);
      const res = await request(app).get('/me').set('Authorization', `Bearer ${access}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ id: 1 });
    });
  });
});

describe('outages are still 503 (the store, the database)', () => {
  const openDatabase = useTestDatabase();

  it('a database that refuses connections: 503 at obtain, nothing logged', async () => {
    const logger = recordingLogger();
    const db = await openDatabase();
    const options: Partial<SimpleJWTOptions<TestUser>> = { sequelize: db.sequelize, apps: { blacklist: true }, logger };
    const { sj } = makeSJ(options);
    await db.sequelize.close();
    const { app, seen } = tokenApp(tokenRouter(sj));
    const res = await request(app).post('/api/token/').send(LOGIN);
    expect(res.status, JSON.stringify(res.body)).to.equal(503);
    expect(res.body.code).to.equal('service_unavailable');
    expect(seen).to.deep.equal([]);
    expect(logger.errors).to.deep.equal([]);
  });
});
