/**
 * One benchmark app in its own process: `GET /api/me/` answering the user
 * JSON, behind the auth named by argv[2]. Started by strategy.bench.ts.
 */
import cluster from 'node:cluster';
import { createSecretKey } from 'node:crypto';
import express, { type Handler } from 'express';
import Passport from 'passport';
import { ExtractJwt, Strategy as PassportJwtStrategy, type VerifiedCallback } from 'passport-jwt';
import { JWTStatelessStrategy, JWTStrategy, SimpleJWT, errorHandler, jwtAuth, tokenRefreshRouter, type UserStore } from '../lib';
import { sequelizeUserStore } from '../models';
import { openStore, userModel, type BenchUser, type Store } from './stateful';

// tsx turns on source-mapped stack traces for the whole process; an app in production runs
// compiled JavaScript without them. Every row runs here, so all are measured alike.
process.setSourceMapsEnabled(false);

export type StatelessVariant =
  | 'none'
  | 'passport-jwt-keyobject'
  | 'passport-jwt-async'
  | 'passport-jwt-string'
  | 'simplejwt'
  | 'simplejwt-cookie'
  | 'simplejwt-stateless'
  | 'simplejwt-jwtauth'
  | 'simplejwt-stateless-jwtauth';
/** A stateful path (`me`: JWTStrategy with the user row in the database; `refresh`; `rotate`: rotation + blacklist + family) on a database. */
export type StatefulVariant = `${'me' | 'refresh' | 'rotate'}-${Store}` | `${'me' | 'refresh' | 'rotate'}-${Store}-x2`;
export type Variant = StatelessVariant | StatefulVariant;

/** The same in-memory lookup for every app. */
const users = new Map<string, BenchUser>([['1', { id: 1, username: 'demo', is_active: true }]]);

const store: UserStore<BenchUser> = {
  findById: async (id) => users.get(id) ?? null,
  authenticate: async () => null,
};

function guard(variant: StatelessVariant, secret: string): Handler | null {
  const passport = new Passport.Authenticator();
  const verify = (payload: { user_id?: unknown }, done: VerifiedCallback) => done(null, users.get(String(payload.user_id)) ?? false);
  switch (variant) {
    case 'none':
      return null;
    case 'passport-jwt-keyobject':
      passport.use(
        new PassportJwtStrategy(
          {
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its types only say string | Buffer.
            secretOrKey: createSecretKey(Buffer.from(secret)) as unknown as Buffer,
            algorithms: ['HS256'],
          },
          verify,
        ),
      );
      return passport.authenticate('jwt', { session: false });
    case 'passport-jwt-async':
      // The lookup through the same promise-returning UserStore JWTStrategy uses, as a database lookup would be.
      passport.use(
        new PassportJwtStrategy(
          {
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            secretOrKey: createSecretKey(Buffer.from(secret)) as unknown as Buffer,
            algorithms: ['HS256'],
          },
          (payload: { user_id?: unknown }, done: VerifiedCallback) =>
            void store.findById(String(payload.user_id)).then((user) => done(null, user ?? false), done),
        ),
      );
      return passport.authenticate('jwt', { session: false });
    case 'passport-jwt-string':
      passport.use(new PassportJwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: secret, algorithms: ['HS256'] }, verify));
      return passport.authenticate('jwt', { session: false });
    case 'simplejwt':
      passport.use(new JWTStrategy(new SimpleJWT<BenchUser>({ signingKey: secret, users: store })));
      return passport.authenticate('passport-simplejwt', { session: false });
    case 'simplejwt-stateless':
      // No user lookup at all: req.user is a TokenUser from the claims (the route answers the same user JSON from its id).
      passport.use(new JWTStatelessStrategy(new SimpleJWT({ signingKey: secret })));
      return passport.authenticate('passport-simplejwt-stateless', { session: false });
    case 'simplejwt-jwtauth':
      // The same strategy behind the package's guard (issue #25: without passport's per-request machinery).
      passport.use(new JWTStrategy(new SimpleJWT<BenchUser>({ signingKey: secret, users: store })));
      return jwtAuth('passport-simplejwt', { passport });
    case 'simplejwt-stateless-jwtauth':
      passport.use(new JWTStatelessStrategy(new SimpleJWT({ signingKey: secret })));
      return jwtAuth('passport-simplejwt-stateless', { passport });
    case 'simplejwt-cookie':
      // Cookie mode: no Authorization header, the access token in its cookie (a GET: no CSRF check).
      passport.use(new JWTStrategy(new SimpleJWT<BenchUser>({ signingKey: secret, users: store }), { cookies: {} }));
      return passport.authenticate('passport-simplejwt', { session: false });
  }
}

/** The app of a stateful variant: the package on SQLite or PostgreSQL, every app on, the user row in the database. */
function statefulApp(variant: StatefulVariant, secret: string): express.Express {
  const [path, store] = variant.split('-') as ['me' | 'refresh' | 'rotate', Store];
  const sequelize = openStore(store, process.env.BENCH_SQLITE ?? '');
  const User = userModel(sequelize);
  const sj = new SimpleJWT({
    signingKey: secret,
    sequelize,
    users: sequelizeUserStore(User, { verifyPassword: () => false }),
    apps: { blacklist: true, tokenFamily: true },
    tokenFamilyEnabled: true,
    rotateRefreshTokens: path === 'rotate',
    blacklistAfterRotation: true,
  });
  const app = express();
  app.disable('x-powered-by');
  if (path === 'me') {
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(sj));
    app.get('/api/me/', passport.authenticate('passport-simplejwt', { session: false }), (req, res) => {
      const user = req.user as { get(key: string): unknown };
      res.json({ id: user.get('id'), username: user.get('username'), is_active: Boolean(user.get('is_active')) });
    });
  } else {
    app.use('/api/token/refresh/', tokenRefreshRouter(sj));
  }
  return app;
}

/** What a worker reports on 'mark': its CPU time and the requests it served. */
interface Mark {
  cpu: NodeJS.CpuUsage;
  served: number;
}

/** A `-x2` variant's primary: two workers serving the app on one port; 'mark' sums their CPU time and requests. */
function primary(): void {
  const workers = [cluster.fork(), cluster.fork()];
  let listening = 0;
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers.length) process.send?.({ port: address.port });
  });
  cluster.on('exit', (_worker, code) => {
    if (code !== 0) process.exit(1);
  });
  process.on('message', (msg) => {
    if (msg === 'mark') {
      void Promise.all(
        workers.map(
          (worker) =>
            new Promise<Mark>((resolve) => {
              worker.once('message', (mark: Mark) => resolve(mark));
              worker.send('mark');
            }),
        ),
      ).then((marks) =>
        process.send?.({
          cpu: { user: marks.reduce((t, m) => t + m.cpu.user, 0), system: marks.reduce((t, m) => t + m.cpu.system, 0) },
          served: marks.reduce((t, m) => t + m.served, 0),
        }),
      );
    }
    if (msg === 'stop') {
      for (const worker of workers) worker.send('stop');
      setTimeout(() => process.exit(0), 2000).unref();
      cluster.on('exit', () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

function main(): void {
  const variant = process.argv[2] as Variant;
  const secret = process.env.BENCH_SECRET;
  if (!secret) throw new Error('BENCH_SECRET is not set');
  if (variant.endsWith('-x2') && cluster.isPrimary) return primary();
  let app: express.Express;
  if (variant.includes('-sqlite') || variant.includes('-postgres')) {
    app = statefulApp(variant as StatefulVariant, secret);
  } else {
    app = express();
    app.disable('x-powered-by');
    const auth = guard(variant as StatelessVariant, secret);
    if (auth && variant.startsWith('simplejwt-stateless'))
      app.get('/api/me/', auth, (req, res) => void res.json(users.get(String((req.user as { id: unknown }).id))));
    else if (auth) app.get('/api/me/', auth, (req, res) => void res.json(req.user));
    else app.get('/api/me/', (_req, res) => void res.json(users.get('1')));
  }
  app.use(errorHandler());

  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  // Counted on the server, not in a middleware, so every app runs the same Express stack.
  let served = 0;
  server.on('request', () => served++);
  process.on('message', (msg) => {
    // CPU time per request is robust to a busy machine, where req/s is not.
    if (msg === 'mark') process.send?.({ cpu: process.cpuUsage(), served });
    // A normal exit, so --cpu-prof gets to write its profile.
    if (msg === 'stop') server.close(() => process.exit(0)).closeAllConnections();
  });
  process.on('disconnect', () => process.exit(0));
}

main();
