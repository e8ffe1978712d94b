import { expect } from 'chai';
import request from 'supertest';
import { JWTStatelessStrategy, JWTStrategy, TokenError, tokenVerifyRouter, type Algorithm, type SimpleJWTOptions } from '../../lib';
import { SECRET, makeSJ, type TestUser } from '../helpers/fixtures';
import { appWith as strategyApp } from '../helpers/http';
import { appWith, expect401 } from '../helpers/app';
import { keyPair } from '../helpers/keys';

const VERIFY = '/api/token/verify/';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** One instance per algorithm family, and the key it signs with. */
const INSTANCES: Array<[Algorithm, Partial<SimpleJWTOptions<TestUser>>]> = [
  ['HS256', { algorithm: 'HS256', signingKey: SECRET }],
  ['HS384', { algorithm: 'HS384', signingKey: SECRET }],
  ['HS512', { algorithm: 'HS512', signingKey: SECRET }],
  ['RS256', { algorithm: 'RS256', signingKey: keyPair('rsa').privatePem }],
  ['PS256', { algorithm: 'PS256', signingKey: keyPair('rsa').privatePem }],
  ['ES256', { algorithm: 'ES256', signingKey: keyPair('P-256').privatePem }],
  // Signatures of 48 and 96 bytes: 64 and 128 characters, a whole number of base64 quads (one more character is a length of 1 mod 4).
  ['ES384', { algorithm: 'ES384', signingKey: keyPair('P-384').privatePem }],
];

function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}

/** The same signature bytes, spelled with the lowest unused bit of the last character set (base64url decoders ignore it). */
function withUnusedBitSet(token: string): string {
  const unusedBits = { 2: 4, 3: 2 }[signatureOf(token).length % 4];
  if (unusedBits === undefined) throw new Error('this signature length leaves no unused bits');
  const last = BASE64URL.indexOf(token.slice(-1));
  return `${token.slice(0, -1)}${BASE64URL[last ^ 1]}`;
}

/** Other spellings a lenient decoder reads as the same bytes, or as a different length. */
function otherSpellings(token: string): Array<[string, string]> {
  const signature = signatureOf(token);
  const head = token.slice(0, token.length - signature.length);
  const spellings: Array<[string, string]> = [
    ['"=" padding', `${token}${'='.repeat(4 - (signature.length % 4))}`],
    ['a length of 1 mod 4', `${token}${'A'.repeat((5 - (signature.length % 4)) % 4 || 4)}`],
    ['a space', `${token.slice(0, -1)} ${token.slice(-1)}`],
  ];
  // base64's '+' and '/' for base64url's '-' and '_': the same bytes to a lenient decoder.
  const standard = signature.replace(/-/g, '+').replace(/_/g, '/');
  if (standard !== signature) spellings.push(['base64 "+" and "/"', `${head}${standard}`]);
  if (signature.length % 4 !== 0) spellings.push(['an unused bit set', withUnusedBitSet(token)]);
  return spellings;
}

describe('a token string has one encoding: a signature not in canonical base64url is 401 (SPEC 8)', () => {
  for (const [algorithm, options] of INSTANCES) {
    describe(algorithm, () => {
      it('every other spelling of the signature is refused as "Token is invalid"; the token as signed still verifies', async () => {
        const { sj } = makeSJ(options);
        const token = String(await sj.AccessToken.forUser({ id: 1 }));
        // Verified first, so a remembered verification cannot vouch for another spelling.
        expect(new sj.AccessToken(token).get('user_id')).to.equal('1');
        for (const [what, spelled] of otherSpellings(token)) {
          expect(spelled, what).to.not.equal(token);
          expect(() => new sj.AccessToken(spelled), what).to.throw(TokenError, 'Token is invalid');
        }
      });
    });
  }

  for (const [algorithm, options] of INSTANCES.filter(([a]) => ['HS256', 'RS256', 'ES256'].includes(a))) {
    describe(`${algorithm} over HTTP: the last character's unused bit flipped`, () => {
      it('POST /api/token/verify/: 401 token_not_valid; the token as signed 200, in either order', async () => {
        const { sj } = makeSJ(options);
        const app = appWith(tokenVerifyRouter(sj), VERIFY);
        const token = String(await sj.AccessToken.forUser({ id: 1 }));
        const flipped = withUnusedBitSet(token);
        expect401(await request(app).post(VERIFY).send({ token: flipped }), 'Token is invalid');
        expect((await request(app).post(VERIFY).send({ token })).status).to.equal(200);
        expect401(await request(app).post(VERIFY).send({ token: flipped }), 'Token is invalid');
      });

      for (const Strategy of [JWTStrategy, JWTStatelessStrategy]) {
        it(`${Strategy.name}: 401 token_not_valid; the token as signed 200`, async () => {
          const { sj } = makeSJ(options);
          const app = strategyApp(new Strategy(sj), 'jwtAuth');
          const token = String(await sj.AccessToken.forUser({ id: 1 }));
          const flipped = withUnusedBitSet(token);
          expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
          const res = await request(app).get('/me').set('Authorization', `Bearer ${flipped}`);
          expect(res.status).to.equal(401);
          expect(res.body).to.deep.equal({
            detail: 'Given token not valid for any token type',
            code: 'token_not_valid',
            messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid' }],
          });
        });
      }
    });
  }
});
