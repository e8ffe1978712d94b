import { expect } from 'chai';
import express from 'express';
import Passport from 'passport';
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
