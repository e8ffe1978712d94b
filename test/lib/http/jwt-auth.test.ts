import { expect } from 'chai';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import defaultPassport, { Passport, Strategy } from 'passport';
import request from 'supertest';
import { JWTStrategy, ServerError, errorHandler, jwtAuth, type JWTAuthInfo } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';

// jwtAuth() on its own: the default name and Passport, the registration check, the
// answers it writes itself and what it leaves to the app, other strategies under the name,
// Passport instances it cannot run the package's strategies on, and the request methods.

const CHALLENGE = 'Bearer realm="api"';
const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' };

async function bearerFor(fixture: ReturnType<typeof makeSJ>, id = '1') {
  return `Bearer ${String(await fixture.sj.AccessToken.forUser(fixture.users.users.get(id)!))}`;
}

/** The app's own error middleware: records what reached it and answers 599. */
function appErrors(seen: unknown[]) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    seen.push(err);
    res.status(599).json({ app: (err as Error).message });
  };
}

const whoAmI: RequestHandler = (req, res) => {
  const info = req.authInfo as JWTAuthInfo | undefined;
  res.json({ user: req.user ?? null, tokenType: info?.token?.get('token_type') ?? null });
};

/** A strategy that is not the package's: it succeeds, or fails with the given arguments. */
class Other extends Strategy {
  constructor(
    override name: string,
    private readonly outcome: { user: unknown; info?: unknown } | { fail: unknown[] },
  ) {
    super();
  }
  override authenticate(): void {
    if ('fail' in this.outcome) (this.fail as (...a: unknown[]) => void)(...this.outcome.fail);
    else this.success(this.outcome.user as Express.User, this.outcome.info as object | undefined);
  }
}

describe('jwtAuth()', () => {
  it("without arguments: the 'passport-simplejwt' strategy of the passport module the app resolves", async () => {
    const fixture = makeSJ();
    const lookup = (defaultPassport as unknown as { _strategy(name: string): unknown })._strategy;
    const before = lookup.call(defaultPassport, 'passport-simplejwt');
    defaultPassport.use(new JWTStrategy(fixture.sj));
    try {
      const app = express().get('/me', jwtAuth(), whoAmI);
      const res = await request(app)
        .get('/me')
        .set('Authorization', await bearerFor(fixture));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.equal({ user: fixture.users.users.get('1'), tokenType: 'access' });
    } finally {
      defaultPassport.unuse('passport-simplejwt');
      if (before !== undefined) defaultPassport.use(before as Strategy);
    }
  });

  describe('a strategy nobody registered', () => {
    for (const [name, how] of [
      [undefined, 'passport.use(new JWTStrategy(sj))'],
      ['api', "passport.use(new JWTStrategy(sj, { name: 'api' }))"],
    ] as const) {
      const shown = name ?? 'passport-simplejwt';
      it(`${shown}: a ServerError for the app's error middleware saying how to register it; once registered, the same guard works`, async () => {
        const passport = new Passport();
        const seen: unknown[] = [];
        const app = express().get('/me', jwtAuth(name, { passport }), whoAmI);
        app.use(appErrors(seen));
        const res = await request(app).get('/me');
        expect(res.status).to.equal(599);
        expect(seen[0]).to.be.instanceOf(ServerError);
        expect((seen[0] as Error).message).to.equal(
          `passport-simplejwt: jwtAuth('${shown}'): no Passport strategy named '${shown}' is registered on the passport instance jwtAuth uses. ` +
            `Register it with ${how} (JWTStatelessStrategy for 'passport-simplejwt-stateless'), or pass the instance it is registered on: jwtAuth('${shown}', { passport })`,
        );
        const fixture = makeSJ();
        passport.use(new JWTStrategy(fixture.sj, name === undefined ? {} : { name }));
        const ok = await request(app)
          .get('/me')
          .set('Authorization', await bearerFor(fixture));
        expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      });
    }
  });

  it("answers 401s itself as JSON; a ServerError (the user store throwing) goes to the app's error middleware", async () => {
    const fixture = makeSJ({ logger: { warn: () => undefined, error: () => undefined } });
    const header = await bearerFor(fixture, '2');
    fixture.users.findById = () => Promise.reject(new Error('store down'));
    const passport = new Passport();
    passport.use(new JWTStrategy(fixture.sj));
    const seen: unknown[] = [];
    const app = express().get('/me', jwtAuth('passport-simplejwt', { passport }), whoAmI);
    app.use(appErrors(seen));
    const bad = await request(app).get('/me').set('Authorization', 'Bearer a b');
    expect(bad.status).to.equal(401);
    expect(bad.headers['www-authenticate']).to.equal(CHALLENGE);
    expect(bad.body).to.deep.equal({ detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' });
    const none = await request(app).get('/me');
    expect(none.status).to.equal(401);
    expect(none.body).to.deep.equal(NOT_PROVIDED);
    expect(seen).to.deep.equal([]);
    const broken = await request(app).get('/me').set('Authorization', header);
    expect(broken.status).to.equal(599);
    expect(seen).to.have.length(1);
    expect(seen[0]).to.be.instanceOf(ServerError);
    expect(((seen[0] as Error).cause as Error).message).to.equal('store down');
  });

  describe("a strategy that is not the package's, under the name (through passport.authenticate)", () => {
    function appFor(strategy: Strategy, optional = false) {
      const passport = new Passport();
      passport.use(strategy);
      const app = express().get('/me', jwtAuth((strategy as { name: string }).name, { passport, optional }), (req, res) => {
        res.json({ user: req.user ?? null, authInfo: req.authInfo ?? null });
      });
      app.use(errorHandler());
      return app;
    }

    it('its success: req.user and req.authInfo as it gave them', async () => {
      const res = await request(appFor(new Other('mine', { user: { id: 'u' }, info: { scope: 'read' } }))).get('/me');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ user: { id: 'u' }, authInfo: { scope: 'read' } });
    });

    it('its failure: 401 not_authenticated with its challenge, or the default one when it gives none', async () => {
      const withChallenge = await request(appFor(new Other('mine', { fail: ['Basic realm="x"'] }))).get('/me');
      expect(withChallenge.status).to.equal(401);
      expect(withChallenge.headers['www-authenticate']).to.equal('Basic realm="x"');
      expect(withChallenge.body).to.deep.equal(NOT_PROVIDED);
      for (const args of [[], [401]]) {
        const bare = await request(appFor(new Other('mine', { fail: args }))).get('/me');
        expect(bare.status, JSON.stringify(args)).to.equal(401);
        expect(bare.headers['www-authenticate'], JSON.stringify(args)).to.equal(CHALLENGE);
        expect(bare.body).to.deep.equal(NOT_PROVIDED);
      }
    });

    it('optional: its failure lets the request through with no user', async () => {
      const res = await request(appFor(new Other('mine', { fail: ['Basic realm="x"'] }), true)).get('/me');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ user: null, authInfo: null });
    });
  });

  it('a passport-like object with only authenticate(): jwtAuth calls it', async () => {
    const fixture = makeSJ();
    const real = new Passport();
    real.use(new JWTStrategy(fixture.sj));
    let calls = 0;
    const custom = {
      authenticate: ((...args: Parameters<typeof real.authenticate>) => {
        calls++;
        return real.authenticate(...args);
      }) as typeof real.authenticate,
    };
    const app = express().get('/me', jwtAuth('passport-simplejwt', { passport: custom }), whoAmI);
    const res = await request(app)
      .get('/me')
      .set('Authorization', await bearerFor(fixture));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.user.username).to.equal('alice');
    expect(calls).to.equal(1);
  });

  it('a Passport instance with its own framework: the request goes through that framework', async () => {
    const fixture = makeSJ();
    const passport = new Passport();
    passport.use(new JWTStrategy(fixture.sj));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const connect = (require('passport/lib/framework/connect') as () => { initialize: unknown; authenticate: (...a: unknown[]) => RequestHandler })();
    let viaFramework = 0;
    passport.framework({
      initialize: connect.initialize,
      authenticate: (...args: unknown[]) => {
        const middleware = connect.authenticate(...args);
        return ((req, res, next) => {
          viaFramework++;
          middleware(req, res, next);
        }) as RequestHandler;
      },
    } as unknown as Parameters<typeof passport.framework>[0]);
    const app = express().get('/me', jwtAuth('passport-simplejwt', { passport }), whoAmI);
    const res = await request(app)
      .get('/me')
      .set('Authorization', await bearerFor(fixture));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(viaFramework).to.equal(1);
  });

  describe("passport's request methods", () => {
    it('req.login, req.logIn, req.logout, req.logOut, req.isAuthenticated and req.isUnauthenticated are there after the guard', async () => {
      const fixture = makeSJ();
      const passport = new Passport();
      passport.use(new JWTStrategy(fixture.sj));
      const app = express().get('/me', jwtAuth('passport-simplejwt', { passport }), (req, res) => {
        const r = req as unknown as Record<string, unknown>;
        res.json(['login', 'logIn', 'logout', 'logOut', 'isAuthenticated', 'isUnauthenticated'].map((m) => typeof r[m]));
      });
      const res = await request(app)
        .get('/me')
        .set('Authorization', await bearerFor(fixture));
      expect(res.body).to.deep.equal(Array(6).fill('function'));
    });

    it("an app's own request methods (on app.request) are kept, for a second Passport instance in the app too", async () => {
      const fixture = makeSJ();
      const [one, two] = [new Passport(), new Passport()];
      one.use(new JWTStrategy(fixture.sj));
      two.use(new JWTStrategy(fixture.sj));
      const app = express();
      const methods = ['logIn', 'logOut', 'isAuthenticated', 'isUnauthenticated'] as const;
      const own = Object.fromEntries(methods.map((m) => [m, () => `own ${m}`]));
      Object.assign(app.request, own);
      const answer: RequestHandler = (req, res) => {
        const r = req as unknown as Record<string, unknown>;
        res.json(methods.map((m) => r[m] === own[m]));
      };
      app.get('/one', jwtAuth('passport-simplejwt', { passport: one }), answer);
      app.get('/two', jwtAuth('passport-simplejwt', { passport: two }), answer);
      const header = await bearerFor(fixture);
      for (const path of ['/one', '/two', '/one']) {
        expect((await request(app).get(path).set('Authorization', header)).body, path).to.deep.equal([true, true, true, true]);
      }
    });

    it("they stay on the app's requests: other apps' requests and plain objects do not get them", async () => {
      const fixture = makeSJ();
      const passport = new Passport();
      passport.use(new JWTStrategy(fixture.sj));
      const guarded = express().get('/me', jwtAuth('passport-simplejwt', { passport }), whoAmI);
      expect(
        (
          await request(guarded)
            .get('/me')
            .set('Authorization', await bearerFor(fixture))
        ).status,
      ).to.equal(200);
      const other = express().get('/', (req, res) => {
        res.json({ isAuthenticated: typeof req.isAuthenticated, sessionManager: typeof (req as { _sessionManager?: unknown })._sessionManager });
      });
      expect((await request(other).get('/')).body).to.deep.equal({ isAuthenticated: 'undefined', sessionManager: 'undefined' });
      const plain = {} as Record<string, unknown>;
      expect([plain.isAuthenticated, plain.login, plain._sessionManager]).to.deep.equal([undefined, undefined, undefined]);
    });

    it("two mounted apps with a Passport each, in one parent app: each request carries its own instance's session manager, in any order", async () => {
      const fixture = makeSJ();
      const [one, two] = [new Passport(), new Passport()];
      one.use(new JWTStrategy(fixture.sj));
      two.use(new JWTStrategy(fixture.sj));
      const sm = (p: object) => (p as { _sm: unknown })._sm;
      const answer: RequestHandler = (req, res) => {
        const carried = (req as { _sessionManager?: unknown })._sessionManager;
        res.json({ one: carried === sm(one), two: carried === sm(two), isAuthenticated: req.isAuthenticated() });
      };
      const a = express().get('/me', jwtAuth('passport-simplejwt', { passport: one }), answer);
      const b = express().get('/me', jwtAuth('passport-simplejwt', { passport: two }), answer);
      const app = express();
      app.use('/a', a);
      app.use('/b', b);
      const header = await bearerFor(fixture);
      for (const [path, expected] of [
        ['/a/me', { one: true, two: false }],
        ['/b/me', { one: false, two: true }],
        ['/a/me', { one: true, two: false }],
        ['/b/me', { one: false, two: true }],
      ] as const) {
        const res = await request(app).get(path).set('Authorization', header);
        expect(res.body, path).to.deep.equal({ ...expected, isAuthenticated: true });
      }
    });
  });
});
