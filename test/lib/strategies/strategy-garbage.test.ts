import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWTStatelessStrategy, JWTStrategy, type SimpleJWT } from '../../../lib';
import { SECRET, makeSJ, type TestUser } from '../../helpers/fixtures';
import { appWith, rawJwt } from '../../helpers/http';

const INVALID = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid' }],
};

function claims(now: Date, extra: Record<string, unknown> = {}) {
  const iat = Math.floor(now.getTime() / 1000);
  return { token_type: 'access', exp: iat + 300, iat, jti: 'j'.repeat(32), user_id: '1', ...extra };
}

describe('strategies: garbage in, a 4xx out (never a 5xx, never a crash)', () => {
  const garbage: Array<[string, string]> = [
    ['a word', 'garbage'],
    ['three dots', '...'],
    ['base64 noise', 'eyJ.eyJ.eyJ'],
    ['a JSON header that is not an object', `${Buffer.from('"x"').toString('base64url')}.e30.sig`],
    ['non-ASCII (latin-1) characters', 'tökén.päylöad.sïg'],
    ['a huge token (12 KB)', 'a'.repeat(12 * 1024)],
  ];
  for (const [what, token] of garbage) {
    it(`${what}: 401 token_not_valid`, async () => {
      const { sj } = makeSJ();
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal(INVALID);
    });
  }

  it('a header over the server limit is refused by Node with a 4xx before any strategy runs', async () => {
    const { sj } = makeSJ();
    const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${'a'.repeat(64 * 1024)}`)
      .catch((err: { status?: number }) => err);
    expect((res as { status?: number }).status).to.be.within(400, 499);
  });

  for (const [what, payload] of [
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"user 1"'],
    ['a number', '7'],
    ['null', 'null'],
  ] as const) {
    it(`a correctly signed token whose payload is ${what}: 401 token_not_valid`, async () => {
      const { sj } = makeSJ();
      const raw = jwt.sign(payload, SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
      const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(401);
      expect(res.body).to.deep.equal(INVALID);
    });
  }

  it('an unsigned token with a payload that is an array: 401', async () => {
    const { sj } = makeSJ();
    const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('Authorization', `Bearer ${rawJwt({ alg: 'none' }, [1])}`);
    expect(res.status).to.equal(401);
    expect(res.body).to.deep.equal(INVALID);
  });

  for (const [name, make] of [
    ['JWTStrategy', (sj: SimpleJWT<TestUser>) => new JWTStrategy(sj)],
    ['JWTStatelessStrategy', (sj: SimpleJWT<TestUser>) => new JWTStatelessStrategy(sj)],
  ] as const) {
    it(`a claim named __proto__ neither pollutes nor crashes (${name})`, async () => {
      const { sj, clock } = makeSJ();
      const body = JSON.stringify(claims(clock.now())).replace(
        /}$/,
        ',"__proto__":{"isAdmin":true,"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
      );
      const raw = jwt.sign(body, SECRET, { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
      const res = await request(appWith(make(sj), 'jwtAuth'))
        .get('/me')
        .set('Authorization', `Bearer ${raw}`);
      expect(res.status).to.equal(200);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(({} as Record<string, unknown>).isAdmin).to.equal(undefined);
      expect(Object.prototype).not.to.have.property('polluted');
    });
  }

  it('a token that is not a string in an array-valued custom header is handled', async () => {
    const { sj, clock } = makeSJ({ authHeaderName: 'x-token' });
    const raw = jwt.sign(claims(clock.now()), SECRET);
    // Node joins repeated custom headers with ", ": the value then has more than two parts.
    const res = await request(appWith(new JWTStrategy(sj), 'jwtAuth'))
      .get('/me')
      .set('X-Token', [`Bearer ${raw}`, `Bearer ${raw}`] as unknown as string);
    expect(res.status).to.equal(401);
    expect(res.body).to.deep.equal({ detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' });
  });
});
