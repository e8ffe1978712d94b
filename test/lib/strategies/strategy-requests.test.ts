import { expect } from 'chai';
import request from 'supertest';
import { JWTStrategy } from '../../../lib';
import { makeSJ } from '../../helpers/fixtures';
import { appWith } from '../../helpers/http';

const CHALLENGE = 'Bearer realm="api"';
const BAD_HEADER = { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' };
const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' };

async function accessFor(id = '1', options: Parameters<typeof makeSJ>[0] = {}) {
  const fixture = makeSJ(options);
  const raw = String(await fixture.sj.AccessToken.forUser(fixture.users.users.get(id)!));
  return { ...fixture, raw };
}

describe('strategies: reading the request', () => {
  describe('passport.authenticate(...) + errorHandler()', () => {
    it('a valid token: 200, req.user is the user and req.authInfo.token the validated token', async () => {
      const { sj, raw } = await accessFor('1');
      const res = await request(appWith(new JWTStrategy(sj)))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ user: { id: 1, username: 'alice', password: 'alice-password', isActive: true }, tokenType: 'access' });
    });

    for (const [what, header] of [
      ['no header', undefined],
      ['an empty header', ''],
      ['another scheme', 'Basic YWxpY2U6cHc='],
    ] as const) {
      it(`${what}: passport's 401 with WWW-Authenticate (fail, so other strategies may run)`, async () => {
        const { sj } = makeSJ();
        const req = request(appWith(new JWTStrategy(sj))).get('/me');
        if (header !== undefined) req.set('Authorization', header);
        const res = await req;
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
      });
    }

    for (const header of ['Bearer', 'Bearer a b', 'Bearer   ']) {
      it(`a Bearer header with one or three parts (${JSON.stringify(header)}): 401 bad_authorization_header`, async () => {
        const { sj } = makeSJ();
        const res = await request(appWith(new JWTStrategy(sj)))
          .get('/me')
          .set('Authorization', header);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal(BAD_HEADER);
      });
    }

    it('another strategy in the chain still runs after a header of another scheme', async () => {
      const { sj, raw } = await accessFor('2');
      const { Passport } = await import('passport');
      const passport = new Passport();
      passport.use(new JWTStrategy(sj));
      passport.use(new JWTStrategy(makeSJ({ authHeaderTypes: 'JWT' }).sj, { name: 'jwt-scheme' }));
      const express = (await import('express')).default;
      const app = express();
      app.get('/me', passport.authenticate(['passport-simplejwt', 'jwt-scheme'], { session: false }), (req, res) =>
        res.json({ id: (req.user as { id: number }).id }),
      );
      const res = await request(app).get('/me').set('Authorization', `JWT ${raw}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ id: 2 });
    });
  });

  describe('jwtAuth()', () => {
    it('a valid token: 200 with req.user and req.authInfo', async () => {
      const { sj, raw } = await accessFor('2');
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(200);
      expect(res.body.user.username).to.equal('bob');
      expect(res.body.tokenType).to.equal('access');
    });

    for (const [what, header] of [
      ['no header', undefined],
      ['an empty header', ''],
      ['another scheme', 'Token abc'],
    ] as const) {
      it(`${what}: 401 not_authenticated JSON`, async () => {
        const { sj } = makeSJ();
        const req = request(appWith(new JWTStrategy(sj), 'jwtAuth')).get('/me');
        if (header !== undefined) req.set('Authorization', header);
        const res = await req;
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.headers['content-type']).to.match(/^application\/json/);
        expect(res.body).to.deep.equal(NOT_PROVIDED);
      });
    }

    it('a one-part Bearer header: 401 bad_authorization_header', async () => {
      const { sj } = makeSJ();
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', 'Bearer');
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
      expect(res.body).to.deep.equal(BAD_HEADER);
    });

    describe('optional: true', () => {
      it('no token: goes through with no req.user', async () => {
        const { sj } = makeSJ();
        const res = await request(appWith(new JWTStrategy(sj), 'jwtAuthOptional')).get('/me');
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ user: null, tokenType: null });
      });

      it('a valid token: the user', async () => {
        const { sj, raw } = await accessFor('1');
        const res = await request(appWith(new JWTStrategy(sj), 'jwtAuthOptional'))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(200);
        expect(res.body.user.username).to.equal('alice');
      });

      it('an invalid token is still 401', async () => {
        const { sj } = makeSJ();
        const res = await request(appWith(new JWTStrategy(sj), 'jwtAuthOptional'))
          .get('/me')
          .set('Authorization', 'Bearer not.a.token');
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal({
          detail: 'Given token not valid for any token type',
          code: 'token_not_valid',
          messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid' }],
        });
      });
    });
  });

  describe('authHeaderName and authHeaderTypes', () => {
    for (const authHeaderName of ['X-Access-Token', 'HTTP_X_ACCESS_TOKEN', 'x-access-token']) {
      it(`reads the header named by ${authHeaderName}, and ignores Authorization`, async () => {
        const { sj, raw } = await accessFor('1', { authHeaderName });
        const app = appWith(new JWTStrategy(sj), 'jwtAuth');
        const ok = await request(app).get('/me').set('X-ACCESS-TOKEN', `Bearer ${raw}`);
        expect(ok.status).to.equal(200);
        expect(ok.body.user.username).to.equal('alice');
        const ignored = await request(app).get('/me').set('Authorization', `Bearer ${raw}`);
        expect(ignored.status).to.equal(401);
        expect(ignored.body).to.deep.equal(NOT_PROVIDED);
      });
    }

    it('accepts every scheme of authHeaderTypes and no other', async () => {
      const { sj, raw } = await accessFor('1', { authHeaderTypes: ['Bearer', 'JWT'] });
      const app = appWith(new JWTStrategy(sj), 'jwtAuth');
      expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).status).to.equal(200);
      expect((await request(app).get('/me').set('Authorization', `JWT ${raw}`)).status).to.equal(200);
      const other = await request(app).get('/me').set('Authorization', `Token ${raw}`);
      expect(other.status).to.equal(401);
      expect(other.body).to.deep.equal(NOT_PROVIDED);
    });

    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      it(`the scheme matches case-insensitively (RFC 7235): '${scheme} <token>' is 200`, async () => {
        const { sj, raw } = await accessFor('1');
        for (const mode of ['authenticate', 'jwtAuth'] as const) {
          const res = await request(appWith(new JWTStrategy(sj), mode))
            .get('/me')
            .set('Authorization', `${scheme} ${raw}`);
          expect(res.status, JSON.stringify(res.body)).to.equal(200);
        }
      });
    }

    it('a custom scheme matches case-insensitively too (jwt for JWT); a lower-case header of one part is still bad_authorization_header', async () => {
      const { sj, raw } = await accessFor('1', { authHeaderTypes: 'JWT' });
      const app = appWith(new JWTStrategy(sj), 'jwtAuth');
      expect((await request(app).get('/me').set('Authorization', `jwt ${raw}`)).status).to.equal(200);
      const bad = await request(appWith(new JWTStrategy(makeSJ().sj)))
        .get('/me')
        .set('Authorization', 'bearer');
      expect(bad.status).to.equal(401);
      expect(bad.body).to.deep.equal(BAD_HEADER);
    });

    it('a custom single scheme replaces Bearer', async () => {
      const { sj, raw } = await accessFor('1', { authHeaderTypes: 'JWT' });
      const app = appWith(new JWTStrategy(sj), 'jwtAuth');
      expect((await request(app).get('/me').set('Authorization', `JWT ${raw}`)).status).to.equal(200);
      expect((await request(app).get('/me').set('Authorization', `Bearer ${raw}`)).body).to.deep.equal(NOT_PROVIDED);
    });
  });

  it("the strategy 'name' option is what passport.authenticate and jwtAuth use", async () => {
    const { sj, raw } = await accessFor('1');
    for (const mode of ['authenticate', 'jwtAuth'] as const) {
      const res = await request(appWith(new JWTStrategy(sj, { name: 'api' }), mode))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status, mode).to.equal(200);
    }
  });
});
