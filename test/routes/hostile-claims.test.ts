import { expect } from 'chai';
import request from 'supertest';
import type { TestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/database';
import { PROTECTED, TOKEN_MOUNT, fullApp, signRaw, validClaims } from '../helpers/full-app';

type TokenType = 'access' | 'refresh' | 'sliding';

/** Each endpoint that takes a token: where, the field (or the Authorization header), the token type it wants. */
const ENDPOINTS: Array<{ name: string; path: string; field: string | null; type: TokenType }> = [
  { name: 'refresh', path: `${TOKEN_MOUNT}refresh/`, field: 'refresh', type: 'refresh' },
  { name: 'verify', path: `${TOKEN_MOUNT}verify/`, field: 'token', type: 'refresh' },
  { name: 'blacklist', path: `${TOKEN_MOUNT}blacklist/`, field: 'refresh', type: 'refresh' },
  { name: 'family blacklist', path: `${TOKEN_MOUNT}family/blacklist/`, field: 'refresh', type: 'refresh' },
  { name: 'sliding refresh', path: `${TOKEN_MOUNT}sliding/refresh/`, field: 'token', type: 'sliding' },
  { name: 'protected route (JWTStrategy)', path: PROTECTED, field: null, type: 'access' },
];

/** Signed but hostile (SPEC 8): each changes one thing of an otherwise valid token. */
/** `stored`: hostile only where the token is recorded with its user id (refresh and sliding tokens). */
const HOSTILE: Array<{ name: string; claims?: Record<string, unknown>; header?: Record<string, unknown>; stored?: boolean }> = [
  { name: 'exp of 1e20', claims: { exp: 1e20 } },
  { name: 'nbf of -1e20', claims: { nbf: -1e20 } },
  { name: 'iat of 1e20', claims: { iat: 1e20 } },
  { name: 'iat not a number', claims: { iat: '2026-01-01' } },
  { name: 'family_exp of 1e20', claims: { family_exp: 1e20 } },
  { name: 'family_exp not a number', claims: { family_exp: 'never' } },
  { name: 'refresh_exp of 1e20', claims: { refresh_exp: 1e20 } },
  { name: 'jti empty', claims: { jti: '' } },
  { name: 'jti with a NUL', claims: { jti: 'abc\u0000def' } },
  { name: 'jti with a newline', claims: { jti: 'abc\ndef' } },
  { name: 'jti a number', claims: { jti: 42 } },
  { name: 'jti an object', claims: { jti: { $ne: '' } } },
  { name: 'jti longer than its column', claims: { jti: 'j'.repeat(256) } },
  { name: 'family_id with a NUL', claims: { family_id: 'fam\u0000ily' } },
  { name: 'family_id a number', claims: { family_id: 7 } },
  { name: 'family_id an array', claims: { family_id: ['a'] } },
  { name: 'family_id empty', claims: { family_id: '' } },
  { name: 'user_id longer than its column', claims: { user_id: 'u'.repeat(256) }, stored: true },
  { name: 'user_id an object', claims: { user_id: { id: 1 } }, stored: true },
  { name: 'crit naming an unknown extension', header: { crit: ['http://example.com/ext'], 'http://example.com/ext': true } },
  { name: 'crit naming a claim', header: { crit: ['exp'] } },
];

const STORED_TABLES = [
  'token_blacklist_outstandingtoken',
  'token_blacklist_blacklistedtoken',
  'token_family_tokenfamily',
  'token_family_blacklistedtokenfamily',
];

/** Rows in each table the apps write: a hostile token must leave them as they were. */
async function storedRows(db: TestDatabase): Promise<number[]> {
  const counts: number[] = [];
  for (const table of STORED_TABLES) {
    const [rows] = await db.sequelize.query(`SELECT COUNT(*) AS n FROM ${table}`);
    counts.push(Number((rows as Array<{ n: unknown }>)[0].n));
  }
  return counts;
}

describe('signed but hostile claims are 401 token_not_valid and never reach storage (SPEC 8)', () => {
  const openDatabase = useTestDatabase();

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.name}: every hostile shape`, async () => {
      const db = await openDatabase();
      const { app, clock } = fullApp(db);
      const before = await storedRows(db);
      let n = 0;
      for (const hostile of HOSTILE) {
        // verify and the protected route record nothing: a long user id is harmless there.
        if (hostile.stored && (endpoint.type === 'access' || endpoint.name === 'verify')) continue;
        const claims = Object.assign(validClaims(endpoint.type, clock.now(), `jti${++n}`), hostile.claims);
        const token = signRaw(claims, hostile.header);
        const call = request(app)[endpoint.field === null ? 'get' : 'post'](endpoint.path);
        const res = endpoint.field === null ? await call.set('Authorization', `Bearer ${token}`) : await call.send({ [endpoint.field]: token });
        const what = `${endpoint.name}, ${hostile.name}: ${res.status} ${JSON.stringify(res.body)}`;
        expect(res.status, what).to.equal(401);
        expect(res.body.code, what).to.equal('token_not_valid');
        expect(res.body.detail, what).to.equal(endpoint.field === null ? 'Given token not valid for any token type' : 'Token is invalid');
        expect(res.headers['www-authenticate'], what).to.equal('Bearer realm="api"');
      }
      expect(await storedRows(db)).to.deep.equal(before);
    });
  }

  it('the same tokens without the hostile part are accepted (the cases test what they say)', async () => {
    const db = await openDatabase();
    const { app, clock } = fullApp(db);
    let n = 0;
    for (const endpoint of ENDPOINTS) {
      const token = signRaw(validClaims(endpoint.type, clock.now(), `ok${++n}`, `family${n}`));
      const call = request(app)[endpoint.field === null ? 'get' : 'post'](endpoint.path);
      const res = endpoint.field === null ? await call.set('Authorization', `Bearer ${token}`) : await call.send({ [endpoint.field]: token });
      expect(res.status, `${endpoint.name}: ${JSON.stringify(res.body)}`).to.equal(200);
    }
  });
});
