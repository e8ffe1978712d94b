import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { SimpleJWT, jwksRouter, tokenObtainPairRouter, tokenRefreshRouter, tokenRouter, tokenVerifyRouter, type SimpleJWTOptions } from '../../lib';
import { bodyParserError } from '../../routes/body';
import { MethodNotAllowed, ParseError, PayloadTooLarge, UnsupportedMediaType } from '../../routes/http-errors';
import { viewRouter } from '../../routes/view';
import { VIEWS } from '../../routes/views';
import { appWith } from '../helpers/app';
import { makeSJ, type TestUser } from '../helpers/fixtures';
import { keyPair } from '../helpers/keys';

// The routers' options and the details of their HTTP answers (issue #26, the routes part's survivors).

const PATH = '/api/token/';
const LOGIN = { username: 'alice', password: 'alice-password' };
const quiet = { warn: () => undefined, error: () => undefined };

describe('the routers: options and HTTP details', () => {
  describe('bodies', () => {
    it('a media type with parameters, spaces or capitals is still JSON or a form', async () => {
      const app = appWith(tokenObtainPairRouter(makeSJ().sj));
      for (const type of ['application/json; charset=utf-8', 'Application/JSON', ' application/json ;charset=UTF-8']) {
        const res = await request(app).post(PATH).set('Content-Type', type).send(JSON.stringify(LOGIN));
        expect(res.status, type).to.equal(200);
      }
      const form = await request(app)
        .post(PATH)
        .set('Content-Type', 'Application/X-WWW-Form-URLEncoded; charset=utf-8')
        .send('username=alice&password=alice-password');
      expect(form.status).to.equal(200);
    });

    it("malformed JSON: the parser's own words when they quote nothing, a fixed text when they would", async () => {
      const app = appWith(tokenObtainPairRouter(makeSJ().sj));
      const post = (body: string) => request(app).post(PATH).set('Content-Type', 'application/json').send(body);
      expect((await post('{"username": ')).body).to.deep.equal({ detail: 'JSON parse error - Unexpected end of JSON input' });
      expect((await post('hunter2')).body).to.deep.equal({ detail: 'JSON parse error - Unexpected token in JSON' });
    });

    it('a form without a charset is read as UTF-8', async () => {
      const { sj, users } = makeSJ();
      const seen: unknown[] = [];
      const authenticate = users.authenticate.bind(users);
      users.authenticate = async (credentials, req) => {
        seen.push(credentials.username);
        return authenticate(credentials, req);
      };
      const app = appWith(tokenObtainPairRouter(sj));
      const res = await request(app).post(PATH).set('Content-Type', 'application/x-www-form-urlencoded').send('username=Zoë&password=x');
      expect(res.status, JSON.stringify(res.body)).to.equal(401);
      expect(seen).to.deep.equal(['Zoë']);
    });

    it('over the limit: 413 with the limit in bytes and its code', async () => {
      const app = appWith(tokenRouter(makeSJ().sj, { bodyLimit: 64 }));
      const res = await request(app)
        .post(PATH)
        .send({ username: 'x'.repeat(100), password: 'y' });
      expect(res.status).to.equal(413);
      expect(res.body).to.deep.equal({ detail: 'Request body is larger than the limit of 64 bytes.', code: 'payload_too_large' });
      // The limit reaches every view of the router.
      expect(
        (
          await request(app)
            .post(`${PATH}refresh/`)
            .send({ refresh: 'x'.repeat(100) })
        ).status,
      ).to.equal(413);
      expect((await request(app).post(PATH).send(LOGIN)).status).to.equal(200);
    });

    it('a body that could not be read (aborted, truncated): 400 "Malformed request."', () => {
      const req = { headers: {} } as express.Request;
      for (const type of ['request.aborted', 'request.size.invalid', 'stream.encoding.set']) {
        const err = bodyParserError(Object.assign(new Error('request aborted'), { type }), req, 100);
        expect(err, type).to.be.instanceOf(ParseError);
        expect((err as ParseError).toJSON(), type).to.deep.equal({ detail: 'Malformed request.' });
      }
    });
  });

  it('the HTTP errors of the views: status, code and body (Django REST Framework)', () => {
    const cases: Array<[{ status: number; code: string; toJSON(): unknown }, number, string, unknown]> = [
      [new ParseError(), 400, 'parse_error', { detail: 'Malformed request.' }],
      [new UnsupportedMediaType('text/plain'), 415, 'unsupported_media_type', { detail: 'Unsupported media type "text/plain" in request.' }],
      [new PayloadTooLarge(10), 413, 'payload_too_large', { detail: 'Request body is larger than the limit of 10 bytes.', code: 'payload_too_large' }],
      [new MethodNotAllowed('PUT', 'POST, OPTIONS'), 405, 'method_not_allowed', { detail: 'Method "PUT" not allowed.' }],
    ];
    for (const [err, status, code, body] of cases) {
      expect(err.status, code).to.equal(status);
      expect(err.code).to.equal(code);
      expect(err.toJSON()).to.deep.equal(body);
    }
  });

  describe('viewRouter and tokenRouter options', () => {
    it('bodyLimit: a positive whole number of bytes', () => {
      const { sj } = makeSJ();
      for (const bodyLimit of [0, -1, 1.5, Number.NaN]) {
        expect(() => tokenRouter(sj, { bodyLimit }), String(bodyLimit)).to.throw(
          TypeError,
          "passport-simplejwt: 'bodyLimit' must be a positive number of bytes",
        );
      }
      expect(() => tokenRouter(sj, { bodyLimit: 1 })).not.to.throw();
    });

    it("OPTIONS: the view's name and description, what it renders and parses", async () => {
      const app = appWith(tokenRefreshRouter(makeSJ().sj));
      const res = await request(app).options(PATH);
      expect(res.body).to.deep.equal({
        name: 'Token Refresh',
        description: VIEWS.refresh.description,
        renders: ['application/json'],
        parses: ['application/json', 'application/x-www-form-urlencoded'],
      });
    });

    it('a serializer setting given as null is the default serializer', async () => {
      const { sj } = makeSJ({ tokenObtainPairSerializer: null, tokenObtainSerializer: null } as Partial<SimpleJWTOptions<TestUser>>);
      const res = await request(appWith(tokenObtainPairRouter(sj)))
        .post(PATH)
        .send(LOGIN);
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body).sort()).to.deep.equal(['access', 'refresh']);
    });

    it('a verify-only instance: the views that sign are refused when built, the verify view is served', async () => {
      const { privatePem, publicPem } = keyPair('rsa');
      const sj = new SimpleJWT({ algorithm: 'RS256', verifyingKey: publicPem, logger: quiet });
      const message = "passport-simplejwt: the Token Obtain Pair view signs tokens, but this instance only verifies (no private 'signingKey' for RS256)";
      expect(() => viewRouter(sj, VIEWS.obtainPair)).to.throw(TypeError, message);
      expect(() => tokenRefreshRouter(sj)).to.throw(TypeError, 'the Token Refresh view signs tokens, but this instance only verifies');
      const signer = new SimpleJWT({ algorithm: 'RS256', signingKey: privatePem, logger: quiet });
      const res = await request(appWith(tokenVerifyRouter(sj)))
        .post(PATH)
        .send({ token: String(new signer.AccessToken()) });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    });
  });

  describe('jwksRouter options', () => {
    const rs = () => new SimpleJWT({ algorithm: 'RS256', signingKey: { kid: 'k', key: keyPair('rsa').privatePem }, logger: quiet });

    it('maxAge 0: the set may not be cached', async () => {
      const res = await request(express().use(jwksRouter(rs(), { maxAge: 0 }))).get('/.well-known/jwks.json');
      expect(res.status).to.equal(200);
      expect(res.headers['cache-control']).to.equal('public, max-age=0');
    });

    it('a path that is not a string is refused with the same message', () => {
      expect(() => jwksRouter(rs(), { path: 42 as never })).to.throw(TypeError, "passport-simplejwt: jwksRouter's 'path' must be a string starting with '/'");
    });
  });
});
