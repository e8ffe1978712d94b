import { expect } from 'chai';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { Passport, Strategy } from 'passport';
import request from 'supertest';
import { InvalidToken, JWTStatelessStrategy, JWTStrategy, SimpleJWT, errorHandler, jwtAuth, type JWTAuthInfo, type SimpleJWTOptions } from '../../../lib';
import { Clock, SECRET, memoryUsers, type TestUser } from '../../helpers/fixtures';

// Issue #25 item 2: jwtAuth() runs the package's strategies without passport's per-request
// machinery. For every request of the table, that fast path answers exactly as passport's
// path (jwtAuth on an instance whose `authenticate` is wrapped, so it falls back) and, where
// the guard is not optional, as passport.authenticate(name, { session: false,
// failWithError: true }) + errorHandler(): status, body, headers, req.user, req.authInfo and
// the request methods passport installs.

const quiet = { warn: () => undefined, error: () => undefined };

type Kind = 'stateful' | 'stateless' | 'cookie' | 'renamed' | 'scheme';

interface Fixture {
  sj: SimpleJWT<TestUser>;
  clock: Clock;
  users: ReturnType<typeof memoryUsers>;
  /** The strategy, made anew for each app (each app has its own Passport); `awaiting`: one that always takes the promise chain. */
  strategy(awaiting?: boolean): JWTStrategy<TestUser> | JWTStatelessStrategy;
  name: string;
}

/** The strategies with `getValidatedToken` overridden (as itself): they validate through the promise chain, never at once. */
class AwaitingStrategy extends JWTStrategy<TestUser> {
  override getValidatedToken(raw: string, req?: Request) {
    return super.getValidatedToken(raw, req);
  }
}
class AwaitingStatelessStrategy extends JWTStatelessStrategy<TestUser> {
  override getValidatedToken(raw: string, req?: Request) {
    return super.getValidatedToken(raw, req);
  }
}

function fixture(kind: Kind, hooked = false): Fixture {
  const clock = new Clock();
  const users = memoryUsers();
  users.users.set('9', { id: 9, username: 'broken', password: 'x', isActive: true });
  const options: Partial<SimpleJWTOptions<TestUser>> = {
    // The hook stands for a blacklist: it refuses the one token whose jti says so. Only where asked: with a hook every token takes the promise chain.
    ...(hooked ? { isRevoked: (token: { get(claim: string): unknown }) => token.get('jti') === 'revoked'.padEnd(32, '0') } : {}),
    ...(kind === 'scheme' ? { authHeaderTypes: ['JWT', 'Bearer'] } : {}),
  };
  const sj = new SimpleJWT<TestUser>({ signingKey: SECRET, users, now: clock.now, logger: quiet, ...options });
  const original = users.findById.bind(users);
  // User 9's lookup throws: an unexpected error goes to next(err) as a 500.
  users.findById = async (id) => (id === '9' ? Promise.reject(new Error('store down')) : original(id));
  const name = kind === 'renamed' ? 'jwt' : kind === 'stateless' ? 'passport-simplejwt-stateless' : 'passport-simplejwt';
  const strategy = (awaiting = false) =>
    kind === 'stateless'
      ? awaiting
        ? new AwaitingStatelessStrategy(sj)
        : new JWTStatelessStrategy(sj)
      : new (awaiting ? AwaitingStrategy : JWTStrategy<TestUser>)(sj, {
          ...(kind === 'renamed' ? { name } : {}),
          ...(kind === 'cookie' ? { cookies: {} } : {}),
        });
  return { sj, clock, users, strategy, name };
}

type Guard = 'fast' | 'fallback' | 'passport' | 'awaiting';

/** One app: the guard, then a route answering what the request holds; counts the strategy objects passport builds. */
function appFor(f: Fixture, guard: Guard, optional: boolean): { app: Express; passportRuns: () => number } {
  const passport = new Passport();
  const strategy = f.strategy(guard === 'awaiting');
  let runs = 0;
  // Passport assigns `success` on the object it builds from the strategy for each request.
  Object.defineProperty(strategy, 'success', {
    configurable: true,
    set(value: unknown) {
      runs++;
      Object.defineProperty(this, 'success', { value, writable: true, configurable: true });
    },
  });
  passport.use(strategy);
  let handler: RequestHandler;
  if (guard === 'passport') handler = passport.authenticate(f.name, { session: false, failWithError: true }) as RequestHandler;
  else if (guard === 'fast' || guard === 'awaiting') handler = jwtAuth(f.name, { passport, optional });
  else {
    // Wrapping authenticate keeps passport's behaviour and sends jwtAuth down passport's path.
    const wrapped = Object.create(passport) as typeof passport;
    wrapped.authenticate = ((...args: Parameters<typeof passport.authenticate>) => passport.authenticate(...args)) as typeof passport.authenticate;
    handler = jwtAuth(f.name, { passport: wrapped, optional });
  }
  const app = express();
  app.disable('x-powered-by');
  app.all('/me', handler, (req, res) => {
    const info = req.authInfo as JWTAuthInfo | undefined;
    res.json({
      user: req.user ?? null,
      authInfo: info === undefined ? null : { keys: Object.keys(info), tokenClass: info.token.constructor.name, payload: info.token.payload },
      isAuthenticated: typeof req.isAuthenticated === 'function' ? req.isAuthenticated() : 'absent',
      methods: [typeof req.logIn, typeof req.logOut, typeof req.isUnauthenticated],
      // req.logIn() with a session manager logs into the session: it must be there as passport leaves it.
      sessionManager: typeof (req as { _sessionManager?: unknown })._sessionManager,
    });
  });
  app.use(errorHandler());
  return { app, passportRuns: () => runs };
}

interface Case {
  what: string;
  kinds: Kind[];
  method?: 'get' | 'post';
  /** With the `isRevoked` hook (every token then takes the promise chain). */
  hooked?: boolean;
  /** The request's headers, given the fixture (tokens are minted per fixture). */
  headers(f: Fixture): Promise<Record<string, string>>;
}

const access = async (f: Fixture, id = '1') => String(await f.sj.AccessToken.forUser(f.users.users.get(id)!));
const bearer = async (f: Fixture, id = '1', scheme = 'Bearer') => ({ authorization: `${scheme} ${await access(f, id)}` });

const CASES: Case[] = [
  { what: 'no header', kinds: ['stateful', 'stateless', 'cookie', 'renamed', 'scheme'], headers: async () => ({}) },
  { what: 'another scheme', kinds: ['stateful', 'scheme'], headers: async () => ({ authorization: 'Basic YWxpY2U6cHc=' }) },
  { what: 'a malformed header (three values)', kinds: ['stateful', 'stateless'], headers: async () => ({ authorization: 'Bearer a b' }) },
  { what: 'a malformed header (the scheme alone)', kinds: ['stateful'], headers: async () => ({ authorization: 'Bearer' }) },
  { what: 'garbage', kinds: ['stateful', 'stateless'], headers: async () => ({ authorization: 'Bearer not.a.jwt' }) },
  {
    what: 'an expired token',
    kinds: ['stateful', 'stateless', 'renamed'],
    headers: async (f) => {
      const h = await bearer(f);
      f.clock.advance(3600);
      return h;
    },
  },
  {
    what: 'a bad signature',
    kinds: ['stateful', 'stateless'],
    headers: async (f) => {
      const other = new SimpleJWT({ signingKey: `${SECRET}-other`, now: f.clock.now });
      return { authorization: `Bearer ${String(await other.AccessToken.forUser({ id: 1 }))}` };
    },
  },
  {
    what: 'a revoked (blacklisted) token',
    kinds: ['stateful', 'stateless'],
    hooked: true,
    headers: async (f) => {
      const token = await f.sj.AccessToken.forUser(f.users.users.get('1')!);
      token.set('jti', 'revoked'.padEnd(32, '0'));
      return { authorization: `Bearer ${String(token)}` };
    },
  },
  {
    what: 'a refresh token (wrong type)',
    kinds: ['stateful'],
    headers: async (f) => ({ authorization: `Bearer ${String(await f.sj.RefreshToken.forUser({ id: 1 }))}` }),
  },
  { what: 'an inactive user', kinds: ['stateful'], headers: (f) => bearer(f, '3') },
  {
    what: 'a user that is gone',
    kinds: ['stateful'],
    headers: async (f) => {
      const h = await bearer(f, '2');
      f.users.users.delete('2');
      return h;
    },
  },
  { what: 'a user store that throws (500)', kinds: ['stateful'], headers: (f) => bearer(f, '9') },
  { what: 'a good token', kinds: ['stateful', 'stateless', 'renamed'], headers: (f) => bearer(f) },
  { what: 'a good token under the second scheme', kinds: ['scheme'], headers: (f) => bearer(f, '1', 'Bearer') },
  { what: 'a good token in the access cookie (GET)', kinds: ['cookie'], headers: async (f) => ({ cookie: `access=${await access(f)}` }) },
  {
    what: 'a cookie on an unsafe request without the CSRF header',
    kinds: ['cookie'],
    method: 'post',
    headers: async (f) => ({ cookie: `access=${await access(f)}` }),
  },
  {
    what: 'a cookie on an unsafe request with the CSRF header',
    kinds: ['cookie'],
    method: 'post',
    headers: async (f) => ({ cookie: `access=${await access(f)}; csrftoken=abc`, 'x-csrftoken': 'abc' }),
  },
];

/** What an app observably answered; the date header aside. */
async function observe(app: Express, method: 'get' | 'post', headers: Record<string, string>) {
  let req = request(app)[method]('/me');
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  const res = await req;
  const { date: _date, ...rest } = res.headers as Record<string, string>;
  return { status: res.status, body: res.body as unknown, headers: rest };
}

describe('jwtAuth(): the fast path answers as passport does (#25, equivalence)', () => {
  for (const c of CASES) {
    for (const kind of c.kinds) {
      for (const optional of [false, true]) {
        it(`${c.what} · ${kind} · optional ${optional ? 'on' : 'off'}`, async () => {
          const f = fixture(kind, c.hooked);
          const headers = await c.headers(f);
          const method = c.method ?? 'get';
          const fast = appFor(f, 'fast', optional);
          const fallback = appFor(f, 'fallback', optional);
          const got = await observe(fast.app, method, headers);
          expect(fast.passportRuns(), 'the fast path builds no strategy object').to.equal(0);
          expect(got, 'fast path vs passport path').to.deep.equal(await observe(fallback.app, method, headers));
          expect(fallback.passportRuns(), 'the fallback goes through passport').to.equal(1);
          expect(got, 'validated at once vs through the promise chain').to.deep.equal(await observe(appFor(f, 'awaiting', optional).app, method, headers));
          if (!optional)
            expect(got, 'fast path vs passport.authenticate + errorHandler').to.deep.equal(await observe(appFor(f, 'passport', false).app, method, headers));
        });
      }
    }
  }

  it("two Passport instances in one app: each guarded request carries its own instance's session manager, as passport leaves it", async () => {
    const f = fixture('stateful');
    const [one, two] = [new Passport(), new Passport()];
    one.use(new JWTStrategy(f.sj));
    two.use(new JWTStrategy(f.sj));
    const sm = (p: object) => (p as { _sm: unknown })._sm;
    const app = express();
    const answer: RequestHandler = (req, res) =>
      void res.json({
        one: (req as { _sessionManager?: unknown })._sessionManager === sm(one),
        two: (req as { _sessionManager?: unknown })._sessionManager === sm(two),
        isAuthenticated: req.isAuthenticated(),
      });
    app.get('/one', jwtAuth('passport-simplejwt', { passport: one }), answer);
    app.get('/two', jwtAuth('passport-simplejwt', { passport: two }), answer);
    const headers = await bearer(f);
    for (let i = 0; i < 2; i++) {
      expect((await request(app).get('/one').set(headers)).body).to.deep.equal({ one: true, two: false, isAuthenticated: true });
      expect((await request(app).get('/two').set(headers)).body).to.deep.equal({ one: false, two: true, isAuthenticated: true });
    }
  });

  it('a stateless subclass overriding getUser(): its user, through jwtAuth and passport.authenticate alike', async () => {
    const f = fixture('stateless');
    class Custom extends JWTStatelessStrategy<TestUser> {
      override async getUser(): Promise<unknown> {
        return { id: 'custom' };
      }
    }
    for (const guard of ['jwtAuth', 'authenticate'] as const) {
      const passport = new Passport();
      passport.use(new Custom(f.sj));
      const handler =
        guard === 'jwtAuth'
          ? jwtAuth('passport-simplejwt-stateless', { passport })
          : (passport.authenticate('passport-simplejwt-stateless', { session: false }) as RequestHandler);
      const app = express().get('/me', handler, (req, res) => void res.json(req.user));
      expect(
        (
          await request(app)
            .get('/me')
            .set(await bearer(f))
        ).body,
        guard,
      ).to.deep.equal({ id: 'custom' });
    }
  });

  it('a subclass overriding getValidatedToken(): its check decides, on both strategies, through jwtAuth and passport.authenticate alike', async () => {
    // An app adds its own rule to token validation: the package's at-once path must not step around it.
    const refuse = () => Promise.reject(new InvalidToken('Token refused by the app'));
    class Strict extends JWTStrategy<TestUser> {
      override getValidatedToken() {
        return refuse();
      }
    }
    class StrictStateless extends JWTStatelessStrategy<TestUser> {
      override getValidatedToken() {
        return refuse();
      }
    }
    for (const kind of ['stateful', 'stateless'] as const) {
      const f = fixture(kind);
      for (const guard of ['jwtAuth', 'authenticate'] as const) {
        const passport = new Passport();
        passport.use(kind === 'stateful' ? new Strict(f.sj) : new StrictStateless(f.sj));
        const handler =
          guard === 'jwtAuth' ? jwtAuth(f.name, { passport }) : (passport.authenticate(f.name, { session: false, failWithError: true }) as RequestHandler);
        const app = express().get('/me', handler, (req, res) => void res.json(req.user));
        app.use(errorHandler());
        const res = await request(app)
          .get('/me')
          .set(await bearer(f));
        expect(res.status, `${kind}, ${guard}`).to.equal(401);
        expect((res.body as { detail?: unknown }).detail, `${kind}, ${guard}`).to.equal('Token refused by the app');
      }
    }
  });

  it("a mounted app: after jwtAuth() in it, the parent app still finds passport's request methods and session manager", async () => {
    const f = fixture('stateful');
    const headers = await bearer(f);
    const answers: unknown[] = [];
    for (const guard of ['fast', 'fallback'] as const) {
      const passport = new Passport();
      passport.use(new JWTStrategy(f.sj));
      let target: object = passport;
      if (guard === 'fallback') {
        target = Object.create(passport) as object;
        (target as { authenticate: unknown }).authenticate = (...args: Parameters<typeof passport.authenticate>) => passport.authenticate(...args);
      }
      const api = express();
      api.use(jwtAuth('passport-simplejwt', { passport: target as typeof passport }));
      const app = express();
      app.use('/api', api);
      app.get(
        '/api/me',
        (req, res) =>
          void res.json({
            user: req.user ?? null,
            isAuthenticated: typeof req.isAuthenticated === 'function' ? req.isAuthenticated() : 'absent',
            sessionManager: (req as { _sessionManager?: unknown })._sessionManager === (passport as unknown as { _sm: unknown })._sm,
          }),
      );
      const res = await request(app).get('/api/me').set(headers);
      answers.push({ status: res.status, body: res.body as unknown });
    }
    expect(answers[0]).to.deep.equal(answers[1]);
    expect(answers[0]).to.deep.include({ status: 200 });
  });

  it('a subclass overriding authenticate() goes through passport, its override runs', async () => {
    const f = fixture('stateful');
    let overridden = 0;
    class Custom extends JWTStrategy<TestUser> {
      override authenticate(...args: Parameters<JWTStrategy<TestUser>['authenticate']>): void {
        overridden++;
        super.authenticate(...args);
      }
    }
    const passport = new Passport();
    passport.use(new Custom(f.sj));
    const app = express().get('/me', jwtAuth('passport-simplejwt', { passport }), (req, res) => void res.json(req.user));
    const res = await request(app)
      .get('/me')
      .set(await bearer(f));
    expect(res.status).to.equal(200);
    expect(overridden).to.equal(1);
  });

  it('another strategy registered under the name later replaces the fast path (passport.use after the first request)', async () => {
    const f = fixture('stateful');
    const passport = new Passport();
    passport.use(new JWTStrategy(f.sj));
    const app = express().get('/me', jwtAuth('passport-simplejwt', { passport }), (req, res) => void res.json(req.user));
    app.use(errorHandler());
    const headers = await bearer(f);
    expect((await request(app).get('/me').set(headers)).status).to.equal(200);
    const other = new (class extends Strategy {
      override name = 'passport-simplejwt';
      override authenticate(): void {
        this.success({ id: 'other' });
      }
    })();
    passport.use(other);
    const res = await request(app).get('/me').set(headers);
    expect(res.body).to.deep.equal({ id: 'other' });
  });
});
