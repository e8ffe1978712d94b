import { expect } from 'chai';
import express from 'express';
import Passport from 'passport';
import request from 'supertest';
import { ExpiredTokenError, JWTStrategy, ServiceUnavailable, TokenError, TokenFamilyNotConfigured, errorHandler } from '../../../lib';
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
});
