import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWTStrategy, SimpleJWT } from '../../../lib';
import { SECRET, makeSJ } from '../../helpers/fixtures';
import { appWith, rawJwt, type GuardMode } from '../../helpers/http';
import { keyPair } from '../../helpers/keys';

const CHALLENGE = 'Bearer realm="api"';
const MODES: GuardMode[] = ['authenticate', 'jwtAuth'];

function invalid(...messages: Array<[string, string | null, string]>) {
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: messages.map(([token_class, token_type, message]) => ({ token_class, token_type, message })),
  };
}

/** The claims Simple JWT puts in an access token, user_id an int as Django emits it. */
function djangoClaims(now: Date, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(now.getTime() / 1000);
  return { token_type: 'access', exp: iat + 300, iat, jti: '0123456789abcdef0123456789abcdef', user_id: 1, ...overrides };
}

describe('strategies: validating the token', () => {
  for (const mode of MODES) {
    describe(`through ${mode}`, () => {
      it('an expired token: 401 with the class message "Token is expired"', async () => {
        const { sj, clock, users } = makeSJ();
        const raw = String(await sj.AccessToken.forUser(users.users.get('1')!));
        clock.advance(301);
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token is expired']));
      });

      it('a token of the wrong type (a refresh token): "Token has wrong type"', async () => {
        const { sj, users } = makeSJ();
        const raw = String(await sj.RefreshToken.forUser(users.users.get('1')!));
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status).to.equal(401);
        expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
        expect(res.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token has wrong type']));
      });
    });
  }

  describe('several authTokenClasses', () => {
    it('accepts a token of any of them, in order, and lists every class in messages when none accepts', async () => {
      const { sj, users, clock } = makeSJ({ authTokenClasses: ['AccessToken', 'SlidingToken'] });
      const app = appWith(new JWTStrategy(sj), 'jwtAuth');
      const alice = users.users.get('1')!;
      const access = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${await sj.AccessToken.forUser(alice)}`);
      expect(access.status).to.equal(200);
      expect(access.body.tokenType).to.equal('access');
      const sliding = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${await sj.SlidingToken.forUser(alice)}`);
      expect(sliding.status).to.equal(200);
      expect(sliding.body.tokenType).to.equal('sliding');

      const refresh = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${await sj.RefreshToken.forUser(alice)}`);
      expect(refresh.status).to.equal(401);
      expect(refresh.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token has wrong type'], ['SlidingToken', 'sliding', 'Token has wrong type']));

      const expired = String(await sj.SlidingToken.forUser(alice));
      clock.advance(301);
      const late = await request(app).get('/me').set('Authorization', `Bearer ${expired}`);
      expect(late.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token is expired'], ['SlidingToken', 'sliding', 'Token is expired']));
    });

    it("accepts subclasses of the instance's classes and names them in messages", async () => {
      const { sj, users } = makeSJ();
      class ServiceToken extends sj.AccessToken {
        static override tokenType: string | null = 'service';
      }
      const withService = new SimpleJWT({ ...sj.options, authTokenClasses: [ServiceToken, 'AccessToken'] });
      const app = appWith(new JWTStrategy(withService), 'jwtAuth');
      const token = new ServiceToken();
      token.set('user_id', '1');
      const ok = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
      expect(ok.status).to.equal(200);
      expect(ok.body.tokenType).to.equal('service');
      const refused = await request(app)
        .get('/me')
        .set('Authorization', `Bearer ${await sj.RefreshToken.forUser(users.users.get('1')!)}`);
      expect(refused.body).to.deep.equal(invalid(['ServiceToken', 'service', 'Token has wrong type'], ['AccessToken', 'access', 'Token has wrong type']));
    });
  });

  describe('tokens made with jsonwebtoken directly (as Django would)', () => {
    it("accepts Simple JWT's claims with user_id an int", async () => {
      const { sj, clock } = makeSJ();
      const raw = jwt.sign(djangoClaims(clock.now()), SECRET, { algorithm: 'HS256' });
      for (const mode of MODES) {
        const res = await request(appWith(new JWTStrategy(sj), mode))
          .get('/me')
          .set('Authorization', `Bearer ${raw}`);
        expect(res.status, mode).to.equal(200);
        expect(res.body.user.username, mode).to.equal('alice');
      }
    });

    it('accepts an RS256 token signed by the other side with the shared private key', async () => {
      const keys = keyPair('rsa');
      const { sj, clock } = makeSJ({ algorithm: 'RS256', signingKey: undefined, verifyingKey: keys.publicPem });
      const raw = jwt.sign(djangoClaims(clock.now()), keys.privatePem, { algorithm: 'RS256' });
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(200);
    });

    const refusals: Array<[string, (now: Date) => string]> = [
      ['signed with another key', (now) => jwt.sign(djangoClaims(now), 'another-secret-another-secret-another', { algorithm: 'HS256' })],
      ['signed with another algorithm (HS512, same secret)', (now) => jwt.sign(djangoClaims(now), SECRET, { algorithm: 'HS512' })],
      ['unsigned (alg: none)', (now) => rawJwt({ alg: 'none', typ: 'JWT' }, djangoClaims(now))],
      ['unsigned (alg: none) with a signature part', (now) => rawJwt({ alg: 'none', typ: 'JWT' }, djangoClaims(now), 'AAAA')],
      [
        'signed with the key but its payload altered',
        (now) => {
          const [h, , s] = jwt.sign(djangoClaims(now), SECRET).split('.');
          return `${h}.${Buffer.from(JSON.stringify(djangoClaims(now, { user_id: 2 }))).toString('base64url')}.${s}`;
        },
      ],
    ];
    for (const [what, make] of refusals) {
      for (const mode of MODES) {
        it(`refuses a token ${what} (${mode}) with the SPEC's 401 body`, async () => {
          const { sj, clock } = makeSJ();
          const res = await request(appWith(new JWTStrategy(sj), mode))
            .get('/me')
            .set('Authorization', `Bearer ${make(clock.now())}`);
          expect(res.status).to.equal(401);
          expect(res.headers['www-authenticate']).to.equal(CHALLENGE);
          expect(res.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token is invalid']));
        });
      }
    }

    it('refuses HS/RS key confusion: HS256 signed with the RSA public key PEM', async () => {
      const keys = keyPair('rsa');
      const { sj, clock } = makeSJ({ algorithm: 'RS256', signingKey: keys.privatePem });
      const forged = jwt.sign(djangoClaims(clock.now()), SECRET, { algorithm: 'HS256' }).split('.').slice(0, 2).join('.');
      const { createHmac } = await import('node:crypto');
      const raw = `${forged}.${createHmac('sha256', keys.publicPem).update(forged).digest('base64url')}`;
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal(invalid(['AccessToken', 'access', 'Token is invalid']));
    });
  });
});
