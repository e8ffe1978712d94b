import { expect } from 'chai';
import request from 'supertest';
import { tokenRouter } from '../../lib';
import { migrate } from '../../models/migrate';
import { appsOnMemoryDatabase, makeSJ } from '../helpers/fixtures';
import { appWith, pairFor } from '../helpers/app';

const PATHS = ['/', '/refresh/', '/verify/', '/sliding/', '/sliding/refresh/', '/family/blacklist/'];
const FIELDS = ['username', 'password', 'refresh', 'token'];

/** Values a field may be sent as: wrong types, nesting, sizes, encodings, lookalike tokens. */
const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  1.5,
  '',
  ' ',
  '\u0000',
  '\ud800',
  'x'.repeat(90 * 1024),
  '.'.repeat(1000),
  'a.b.c',
  'eyJhbGciOiJub25lIn0.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.',
  'Bearer abc',
  [],
  ['a', 'b'],
  [[[[[]]]]],
  {},
  { $ne: '' },
  { __proto__: { admin: true } },
  { toString: 'x' },
];

/** Raw bodies, with their content type. */
const RAW: Array<[string | undefined, string]> = [
  ['application/json', ''],
  ['application/json', ' '],
  ['application/json', '{'],
  ['application/json', '[]'],
  ['application/json', '[1,2,3]'],
  ['application/json', 'null'],
  ['application/json', 'true'],
  ['application/json', '"string"'],
  ['application/json', '1e999'],
  ['application/json', '{"__proto__": {"username": "alice"}, "constructor": {"prototype": {"x": 1}}}'],
  ['application/json', '{"username": "alice", "username": ["dup"]}'],
  ['application/json', `${'['.repeat(5000)}${']'.repeat(5000)}`],
  ['application/json', '\u0000'],
  ['application/json; charset=utf-16', '{}'],
  ['application/x-www-form-urlencoded', ''],
  ['application/x-www-form-urlencoded', '%%%'],
  ['application/x-www-form-urlencoded', 'username[]=a&password[x]=b'],
  ['application/x-www-form-urlencoded', '&&&==&='],
  ['application/x-www-form-urlencoded', `${'a=1&'.repeat(5000)}`],
  ['text/plain', 'username=alice'],
  ['text/html', '<p>'],
  ['application/xml', '<a/>'],
  ['multipart/form-data; boundary=x', '--x--'],
  ['application/octet-stream', '\u00ff'],
  ['*/*', '{}'],
  ['application', '{}'],
  [undefined, '{"username": "alice"}'],
];

describe('bad input of any kind never gets a 5xx (fuzz table)', () => {
  const storage = { ...appsOnMemoryDatabase(), apps: { tokenFamily: true } };
  const { sj } = makeSJ({ ...storage, authTokenClasses: ['AccessToken', 'SlidingToken'], tokenFamilyEnabled: true });
  before(() => migrate(storage.sequelize, storage.apps));
  const app = appWith(tokenRouter(sj));

  function expectClientError(res: request.Response, what: string) {
    expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)}`).to.be.within(400, 499);
    expect(res.headers['content-type'], what).to.match(/^application\/json/);
    expect(JSON.stringify(res.body), what).not.to.match(/at .*\.(ts|js):\d+/);
  }

  for (const path of PATHS) {
    it(`POST ${path}: every field set to each bad value`, async () => {
      for (const field of FIELDS) {
        for (const value of VALUES) {
          const body = { username: 'alice', password: 'alice-password', refresh: 'x', token: 'x', extra: { deep: [1, 2] }, [field]: value };
          const res = await request(app).post(`/api/token${path}`).send(body);
          const what = `${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`;
          if (res.status === 200) {
            // Only the obtain views can pass, and only with the real credentials left in place.
            expect(['/', '/sliding/'], what).to.include(path);
            expect(field === 'refresh' || field === 'token', what).to.equal(true);
          } else {
            expectClientError(res, what);
          }
        }
      }
    });

    it(`POST ${path}: raw bodies of every kind`, async () => {
      for (const [type, raw] of RAW) {
        let req = request(app).post(`/api/token${path}`);
        req = type === undefined ? req.unset('Content-Type') : req.set('Content-Type', type);
        const res = await req.send(raw);
        expectClientError(res, `${path} ${type} ${raw.slice(0, 30)}`);
      }
    });
  }

  it('a huge token value within the limit and a huge header do not crash', async () => {
    const big = `${'a'.repeat(40 * 1024)}.${'b'.repeat(40 * 1024)}.c`;
    const res = await request(app)
      .post('/api/token/verify/')
      .set('X-Filler', 'y'.repeat(8 * 1024))
      .send({ token: big });
    expect(res.status).to.equal(401);
  });

  it('unknown fields are ignored', async () => {
    const { refresh } = await pairFor(sj);
    const res = await request(app)
      .post('/api/token/refresh/')
      .send({ refresh, access: 'ignored', is_staff: true, __proto__: { x: 1 } });
    expect(res.status).to.equal(200);
  });
});
