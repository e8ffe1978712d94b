import { expect } from 'chai';
import express from 'express';
import Passport, { Strategy } from 'passport';
import request from 'supertest';
import {
  AuthenticationFailed,
  CsrfFailed,
  ExpiredTokenError,
  InvalidToken,
  JWTStrategy,
  RefreshTokenBlacklistedError,
  ServerError,
  ServiceUnavailable,
  SimpleJWTError,
  Throttled,
  TokenBackendError,
  TokenBackendExpiredToken,
  TokenError,
  TokenFamilyNotConfigured,
  ValidationError,
  errorHandler,
} from '../../../lib';
import { challengeFor, withChallenge } from '../../../lib/errors';
import { makeSJ } from '../../helpers/fixtures';

function appThrowing(err: unknown) {
  const app = express();
  app.get('/', () => {
    throw err;
  });
  app.use(errorHandler());
  app.use((e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(599).json({ passedOn: (e as Error).message });
  });
  return app;
}

describe('errorHandler()', () => {
  it('renders a TokenError as 401 token_not_valid with its message and WWW-Authenticate', async () => {
    for (const err of [new TokenError('Token is blacklisted'), new ExpiredTokenError()]) {
      const res = await request(appThrowing(err)).get('/');
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
      expect(res.body).to.deep.equal({ detail: err.message, code: 'token_not_valid' });
    }
  });

  it('renders ServiceUnavailable as 503 and TokenFamilyNotConfigured as 501, without WWW-Authenticate', async () => {
    const down = await request(appThrowing(new ServiceUnavailable(undefined, new Error('secret connection string')))).get('/');
    expect(down.status).to.equal(503);
    expect(down.body).to.deep.equal({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });
    expect(down.text).not.to.contain('secret connection string');
    const off = await request(appThrowing(new TokenFamilyNotConfigured())).get('/');
    expect(off.status).to.equal(501);
    expect(off.headers).not.to.have.property('www-authenticate');
    expect(off.body).to.deep.equal({
      detail: 'Token family functionality is not enabled or available. Please check your configuration.',
      code: 'token_family_not_configured',
    });
  });

  it("passes errors that are not the package's on", async () => {
    const res = await request(appThrowing(new Error('boom'))).get('/');
    expect(res.status).to.equal(599);
    expect(res.body).to.deep.equal({ passedOn: 'boom' });
  });

  it('errorHandler({ all: true }) answers every other error as a logged JSON 500, never HTML or a stack trace', async () => {
    const errors: string[] = [];
    const logger = { error: (m: string) => void errors.push(m), warn: () => undefined };
    const app = express();
    app.get('/', () => {
      throw new Error('boom in the app', { cause: new Error('the reason') });
    });
    // Passed to next() by hand: Express 4 (test/express4/run.sh) does not catch a handler's rejected promise.
    app.get('/async', (_req, _res, next) => {
      Promise.reject(new RangeError('async boom')).catch(next);
    });
    app.post('/json', express.json(), (_req, res) => {
      res.json({});
    });
    app.use(errorHandler({ all: true, logger }));
    const res = await request(app).get('/');
    expect(res.status).to.equal(500);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.body).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    expect(res.text).not.to.contain('boom');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include('boom in the app').and.include('the reason');
    expect((await request(app).get('/async')).body).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    expect(errors[1]).to.include('async boom');
    // A client error of another middleware keeps its 4xx status.
    const malformed = await request(app).post('/json').set('content-type', 'application/json').send('{"a":');
    expect(malformed.status).to.equal(400);
    expect(malformed.body).to.have.property('detail');
    expect(errors).to.have.length(2);
  });

  it("renders passport.authenticate's failWithError 401 (no credentials) as the not_authenticated JSON body", async () => {
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(makeSJ().sj));
    const app = express();
    app.get('/me', passport.authenticate('passport-simplejwt', { session: false, failWithError: true }), (_req, res) => {
      res.json({});
    });
    app.use(errorHandler());
    const res = await request(app).get('/me');
    expect(res.status).to.equal(401);
    expect(res.headers['www-authenticate']).to.equal('Bearer realm="api"');
    expect(res.body).to.deep.equal({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
  });
  it("renders the 429, 400, 403 and 401 errors in Simple JWT's wire format, with their headers", async () => {
    const throttled = await request(appThrowing(new Throttled(42))).get('/');
    expect(throttled.status).to.equal(429);
    expect(throttled.headers['retry-after']).to.equal('42');
    expect(throttled.body).to.deep.equal({ detail: 'Request was throttled. Expected available in 42 seconds.', code: 'throttled' });
    const fields = { username: ['This field is required.'], password: ['This field may not be blank.', 'Too short.'] };
    const invalid = await request(appThrowing(new ValidationError(fields))).get('/');
    expect(invalid.status).to.equal(400);
    expect(invalid.body).to.deep.equal(fields);
    const csrf = await request(appThrowing(new CsrfFailed('CSRF token missing.'))).get('/');
    expect(csrf.status).to.equal(403);
    expect(csrf.headers).not.to.have.property('www-authenticate');
    expect(csrf.body).to.deep.equal({ detail: 'CSRF Failed: CSRF token missing.', code: 'csrf_failed' });
    const refused = await request(appThrowing(new AuthenticationFailed())).get('/');
    expect(refused.status).to.equal(401);
    expect(refused.headers['www-authenticate']).to.equal('Bearer realm="api"');
    expect(refused.body).to.deep.equal({ detail: 'Incorrect authentication credentials.', code: 'authentication_failed' });
    const messages = [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is expired' }];
    const withMessages = await request(appThrowing(new InvalidToken('Given token not valid for any token type', messages))).get('/');
    expect(withMessages.status).to.equal(401);
    expect(withMessages.body).to.deep.equal({ detail: 'Given token not valid for any token type', code: 'token_not_valid', messages });
    const plain = await request(appThrowing(new InvalidToken())).get('/');
    expect(plain.body).to.deep.equal({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    // The body as renderError() hands it to an app's own view: no messages member without messages.
    expect(new InvalidToken().toJSON()).to.deep.equal({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
    for (const err of [new TokenBackendError(), new TokenBackendExpiredToken(), new RefreshTokenBlacklistedError()]) {
      const res = await request(appThrowing(err)).get('/');
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal({ detail: err.message, code: 'token_not_valid' });
    }
  });

  it('gives each error class its code, status, default message, name and cause', () => {
    const cases: [SimpleJWTError, string, number, string][] = [
      [new TokenError(), 'token_not_valid', 401, 'Token is invalid'],
      [new ExpiredTokenError(), 'token_not_valid', 401, 'Token is expired'],
      [new RefreshTokenBlacklistedError(), 'token_not_valid', 401, 'Token is blacklisted'],
      [new TokenBackendError(), 'token_backend_error', 401, 'Token is invalid'],
      [new TokenBackendExpiredToken(), 'token_backend_error', 401, 'Token is expired'],
      [
        new TokenFamilyNotConfigured(),
        'token_family_not_configured',
        501,
        'Token family functionality is not enabled or available. Please check your configuration.',
      ],
      [new ServiceUnavailable(), 'service_unavailable', 503, 'Service temporarily unavailable, try again later.'],
      [new Throttled(7), 'throttled', 429, 'Request was throttled. Expected available in 7 seconds.'],
      [new ValidationError({}), 'invalid', 400, 'Invalid input.'],
      [new ValidationError({ username: ['This field is required.', 'Again.'] }), 'invalid', 400, 'username: This field is required. Again.'],
      [new CsrfFailed('Origin checking failed.'), 'csrf_failed', 403, 'CSRF Failed: Origin checking failed.'],
    ];
    for (const [err, code, status, message] of cases) {
      expect(err.code, err.name).to.equal(code);
      expect(err.status, err.name).to.equal(status);
      expect(err.name).to.equal(err.constructor.name);
      expect(err.message, err.name).to.equal(message);
      // No cause given: none recorded (a logged chain would otherwise end in "Caused by: undefined").
      expect(err, err.name).not.to.have.property('cause');
    }
    expect(new CsrfFailed('CSRF token missing.').reason).to.equal('CSRF token missing.');
    expect(new Throttled(7).wait).to.equal(7);
    const state = { blacklisted: true } as unknown as ConstructorParameters<typeof RefreshTokenBlacklistedError>[2];
    expect(new RefreshTokenBlacklistedError(undefined, undefined, state).state).to.equal(state);
    const reason = new Error('connection refused');
    for (const err of [new TokenError('x', reason), new TokenBackendError('x', reason), new ServiceUnavailable(undefined, reason), new Throttled(1, reason)]) {
      expect(err.cause, err.name).to.equal(reason);
      expect(err.inner, err.name).to.equal(reason);
    }
    const server = new ServerError('the user store failed', reason);
    expect(server.status).to.equal(500);
    expect(server.code).to.equal('server_error');
    expect(server.message).to.equal('passport-simplejwt: the user store failed');
    expect(server.detail).to.equal('A server error occurred.');
    expect(server.cause).to.equal(reason);
  });

  it("challengeFor() names the first accepted scheme and the realm; withChallenge() changes only a 401's challenge", () => {
    expect(challengeFor(['JWT', 'Bearer'])).to.equal('JWT realm="api"');
    expect(challengeFor([])).to.equal('Bearer realm="api"');
    expect(challengeFor(['Bearer'], 'admin')).to.equal('Bearer realm="admin"');
    const refused = withChallenge(new AuthenticationFailed(), 'JWT realm="api"');
    expect(refused.headers).to.deep.equal({ 'WWW-Authenticate': 'JWT realm="api"' });
    const down = withChallenge(new ServiceUnavailable(), 'JWT realm="api"');
    expect(down.headers).to.deep.equal({});
    const other = new Error('boom');
    expect(withChallenge(other, 'JWT realm="api"')).to.equal(other);
  });

  it('logs a ServerError with its whole cause chain: Error causes with their stacks, Sequelize parents, other values; a cycle ends it', async () => {
    const errors: string[] = [];
    const logger = { error: (m: string) => void errors.push(m), warn: () => undefined };
    const driver = Object.assign(new Error('SQLITE_ERROR: no such table: token_blacklist_outstandingtoken'), { stack: undefined });
    // The driver's error ends the chain with a null parent of its own.
    const sequelizeError = Object.assign(new Error('SequelizeDatabaseError'), { parent: Object.assign(driver, { parent: null }) });
    const app = express();
    app.get('/chain', () => {
      throw new ServerError('the blacklist failed', sequelizeError);
    });
    app.get('/value', () => {
      throw new ServerError('a hook threw', 'a string, not an Error');
    });
    app.get('/alone', () => {
      throw new ServerError('no cause');
    });
    app.get('/cycle', () => {
      const a = new Error('first') as Error & { cause?: unknown };
      const b = new Error('second', { cause: a });
      a.cause = b;
      throw new ServerError('cyclic', a);
    });
    app.use(errorHandler({ logger }));
    for (const path of ['/chain', '/value', '/alone', '/cycle']) {
      const res = await request(app).get(path);
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    }
    const [chain, value, alone, cycle] = errors.map((e) => e.split('\n').filter((line) => !line.startsWith('    at ')));
    expect(chain[0]).to.equal('ServerError: passport-simplejwt: the blacklist failed');
    expect(chain.slice(1)).to.deep.equal([
      'Caused by: Error: SequelizeDatabaseError',
      'Caused by: Error: SQLITE_ERROR: no such table: token_blacklist_outstandingtoken',
    ]);
    expect(errors[0]).to.match(/^ServerError: passport-simplejwt: the blacklist failed\n {4}at /);
    expect(value).to.deep.equal(['ServerError: passport-simplejwt: a hook threw', 'Caused by: a string, not an Error']);
    expect(alone).to.deep.equal(['ServerError: passport-simplejwt: no cause']);
    expect(cycle).to.deep.equal(['ServerError: passport-simplejwt: cyclic', 'Caused by: Error: first', 'Caused by: Error: second']);
  });
});

describe('errorHandler(): what reaches the app, what is logged', () => {
  /** An app whose route fails with `err`, then errorHandler(options), then the app's own error middleware (599). */
  function appWith(err: unknown, options: Parameters<typeof errorHandler>[0] = {}) {
    const seen: unknown[] = [];
    const app = express();
    app.get('/', () => {
      throw err;
    });
    app.use(errorHandler(options));
    app.use((e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(e);
      res.status(599).json({ passedOn: true });
    });
    return { app, seen };
  }

  function recorder() {
    const lines: string[] = [];
    return { lines, logger: { error: (m: string) => void lines.push(m), warn: () => undefined } };
  }

  it('a ServerError is logged with its cause through the logger option and answered as the generic 500', async () => {
    const { lines, logger } = recorder();
    const { app } = appWith(new ServerError('the store failed', new Error('connection reset')), { logger });
    const res = await request(app).get('/');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('the store failed').and.include('connection reset');
  });

  it("without the logger option a ServerError goes to the logger it carries (the instance's), and a 401 is never logged", async () => {
    const { lines, logger } = recorder();
    const err = new ServerError('a hook threw');
    err.logger = logger;
    expect((await request(appWith(err).app).get('/')).status).to.equal(500);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('a hook threw');
    const other = recorder();
    expect((await request(appWith(new TokenError('Token is blacklisted'), { logger: other.logger }).app).get('/')).status).to.equal(401);
    expect(other.lines).to.deep.equal([]);
  });

  it('a package error that is neither an API nor a token error is a 401 token_not_valid with the generic detail, not its message', async () => {
    const res = await request(appWith(new SimpleJWTError('internal wording', 'token_not_valid', 401)).app).get('/');
    expect(res.status).to.equal(401);
    expect(res.body).to.deep.equal({ detail: 'Token is invalid or expired', code: 'token_not_valid' });
  });

  it('an error after the response has started goes on to the next error middleware untouched', async () => {
    const seen: unknown[] = [];
    const app = express();
    app.get('/', (_req, res, next) => {
      res.status(200).write('partial');
      next(new TokenError('Token is blacklisted'));
    });
    app.use(errorHandler());
    app.use((e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen.push(e);
      res.end();
    });
    const res = await request(app).get('/');
    expect(res.status).to.equal(200);
    expect(res.text).to.equal('partial');
    expect(seen).to.have.length(1);
    expect(seen[0]).to.be.instanceOf(TokenError);
  });

  it('an app error carrying a 401 status that is not passport\'s goes on to the app (without all), not rendered as "not provided"', async () => {
    const err = Object.assign(new Error('token of another system refused'), { status: 401, name: 'UnauthorizedError' });
    const { app, seen } = appWith(err);
    const res = await request(app).get('/');
    expect(res.status).to.equal(599);
    expect(seen).to.deep.equal([err]);
    // A thrown object that only looks like passport's error is not taken for it either.
    const lookalike = { name: 'AuthenticationError', status: 401, message: 'x' };
    const other = appWith(lookalike);
    expect((await request(other.app).get('/')).status).to.equal(599);
  });

  describe('{ all: true }: errors of other middleware', () => {
    async function answer(err: unknown) {
      const { lines, logger } = recorder();
      const res = await request(appWith(err, { all: true, logger }).app).get('/');
      return { status: res.status, body: res.body as unknown, logged: lines.length };
    }
    const withStatus = (props: Record<string, unknown>, message = 'the inner detail') => Object.assign(new Error(message), props);

    it('a 4xx in status or in statusCode keeps its status; an exposed message is shown, else the status text', async () => {
      expect(await answer(withStatus({ status: 409, expose: true }))).to.deep.equal({ status: 409, body: { detail: 'the inner detail' }, logged: 0 });
      expect(await answer(withStatus({ statusCode: 404, expose: true }))).to.deep.equal({ status: 404, body: { detail: 'the inner detail' }, logged: 0 });
      expect(await answer(withStatus({ status: 403, expose: false }))).to.deep.equal({ status: 403, body: { detail: 'Forbidden' }, logged: 0 });
      expect(await answer(withStatus({ status: 403 }))).to.deep.equal({ status: 403, body: { detail: 'Forbidden' }, logged: 0 });
      // status wins over statusCode
      expect(await answer(withStatus({ status: 410, statusCode: 500 }))).to.deep.equal({ status: 410, body: { detail: 'Gone' }, logged: 0 });
      // a 4xx without a status text
      expect(await answer(withStatus({ status: 499 }))).to.deep.equal({ status: 499, body: { detail: 'Bad Request' }, logged: 0 });
      // a thrown object that is no Error: its message is never shown
      expect(await answer({ status: 400, expose: true, message: 'not an Error' })).to.deep.equal({ status: 400, body: { detail: 'Bad Request' }, logged: 0 });
    });

    it('a status outside 400-499, or one that is no integer, is a logged generic 500', async () => {
      const generic = { detail: 'A server error occurred.', code: 'server_error' };
      for (const props of [{ status: 500 }, { status: 503 }, { status: 302 }, { status: 399 }, { status: 404.5 }, { status: '404' }, { statusCode: 502 }]) {
        expect(await answer(withStatus({ ...props, expose: true })), JSON.stringify(props)).to.deep.equal({ status: 500, body: generic, logged: 1 });
      }
      expect(await answer('a thrown string')).to.deep.equal({ status: 500, body: generic, logged: 1 });
    });
  });

  describe("passport's failWithError", () => {
    class Failing extends Strategy {
      constructor(
        override name: string,
        private readonly args: unknown[],
      ) {
        super();
      }
      override authenticate(): void {
        (this.fail as (...a: unknown[]) => void)(...this.args);
      }
    }

    async function failWith(strategies: Strategy[], options: Parameters<typeof errorHandler>[0] = {}) {
      const passport = new Passport.Authenticator();
      for (const s of strategies) passport.use(s);
      const app = express();
      const names = strategies.map((s) => (s as { name: string }).name);
      app.get('/me', passport.authenticate(names, { session: false, failWithError: true }), (_req, res) => void res.json({}));
      app.use(errorHandler(options));
      return request(app).get('/me');
    }

    it('a chain of strategies: every challenge of the chain in one WWW-Authenticate', async () => {
      const sj = makeSJ().sj;
      const jwtScheme = makeSJ({ authHeaderTypes: 'JWT' }).sj;
      const res = await failWith([new JWTStrategy(sj), new JWTStrategy(jwtScheme, { name: 'jwt-scheme' })]);
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal('Bearer realm="api", JWT realm="api"');
      expect(res.body).to.deep.equal({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
    });

    it('a strategy failing without a challenge, or with an empty one: the default challenge', async () => {
      for (const args of [[], [''], [401]]) {
        const res = await failWith([new Failing('bare', args)]);
        expect(res.status, JSON.stringify(args)).to.equal(401);
        expect(res.headers['www-authenticate'], JSON.stringify(args)).to.equal('Bearer realm="api"');
        expect(res.body).to.deep.equal({ detail: 'Authentication credentials were not provided.', code: 'not_authenticated' });
      }
    });

    it('a strategy failing with another status (403) keeps it: not rendered as a 401', async () => {
      const res = await failWith([new Failing('forbidding', [403])], { all: true });
      expect(res.status).to.equal(403);
      expect(res.headers).not.to.have.property('www-authenticate');
      expect(res.body).to.deep.equal({ detail: 'Forbidden' });
    });
  });
});
