import { expect } from 'chai';
import express from 'express';
import Passport from 'passport';
import request from 'supertest';
import { JWTStrategy, errorHandler, jwtAuth, sessionsRouter, tokenRouter, type Session, type SimpleJWT, type SimpleJWTOptions } from '../../lib';
import { sequelizeApps } from '../../models';
import { SESSION_TABLE } from '../../models/sessions';
import { EVERY_STORED_CHECK, expect401 } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { makeSJ, type TestUser } from '../helpers/fixtures';

const TOKEN = '/api/token/';
const SESSIONS = '/api/sessions/';
const NOT_FOUND = { detail: 'Not found.', code: 'not_found' };

/** A session as the JSON body carries it (dates as ISO strings). */
type SessionJson = { [K in keyof Session]: Session[K] extends Date ? string : Session[K] extends Date | null ? string | null : Session[K] };

/** Puts the instance's stored sessions behind a wrapper that writes down the instant of every `touch()`: the writes, counted in the process. */
function recordTouches(sj: SimpleJWT<TestUser>): string[] {
  const storage = sequelizeApps(sj);
  const touches: string[] = [];
  sj.useApps({
    ...storage,
    sessions: {
      start: (session) => storage.sessions!.start(session),
      list: (...args) => storage.sessions!.list(...args),
      touch: (ids, at) => (touches.push(at.toISOString()), storage.sessions!.touch(ids, at)),
    },
  });
  return touches;
}

describe('sessions (sj.sessions, sessionsRouter): a user sees their devices and logs one out', () => {
  const openDatabase = useTestDatabase();

  async function setup(options: Partial<SimpleJWTOptions<TestUser>> = {}) {
    const db = await openDatabase();
    const made = makeSJ({
      sequelize: db.sequelize,
      ...EVERY_STORED_CHECK,
      ...options,
    });
    const passport = new Passport.Authenticator();
    passport.use(new JWTStrategy(made.sj));
    const app = express();
    app.set('trust proxy', true);
    app.use(TOKEN, tokenRouter(made.sj));
    app.use(SESSIONS, jwtAuth('passport-simplejwt', { passport }), sessionsRouter(made.sj));
    app.use(errorHandler());
    const login = async (username = 'alice', userAgent = 'agent-a', ip = '203.0.113.7') => {
      const res = await request(app)
        .post(TOKEN)
        .set('User-Agent', userAgent)
        .set('X-Forwarded-For', ip)
        .send({ username, password: `${username}-password` });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body as { access: string; refresh: string };
    };
    const list = async (access: string): Promise<SessionJson[]> => {
      const res = await request(app).get(SESSIONS).set('Authorization', `Bearer ${access}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body as SessionJson[];
    };
    const familyOf = (token: string) => new made.sj.RefreshToken(token, { verify: false }).getFamilyId()!;
    return { db, ...made, app, login, list, familyOf };
  }

  it('lists the live sessions of the user: id, times, device, address, current', async () => {
    const { app, login, list, familyOf, clock } = await setup();
    const a = await login('alice', 'Firefox on Linux', '198.51.100.1');
    clock.advance(5);
    const b = await login('alice', 'x'.repeat(300), '198.51.100.2');
    await login('bob');
    const sessions = await list(a.access);
    expect(sessions.map((s) => s.id)).to.deep.equal([familyOf(b.refresh), familyOf(a.refresh)]);
    const [second, first] = sessions;
    expect(first).to.deep.equal({
      id: familyOf(a.refresh),
      createdAt: '2026-01-01T12:00:00.000Z',
      lastUsedAt: '2026-01-01T12:00:00.000Z',
      expiresAt: '2026-01-31T12:00:00.000Z',
      userAgent: 'Firefox on Linux',
      ip: '198.51.100.1',
      current: true,
    });
    expect(second.current).to.equal(false);
    expect(second.userAgent).to.equal('x'.repeat(256));
    expect(second.ip).to.equal('198.51.100.2');
    const res = await request(app).get(SESSIONS).set('Authorization', `Bearer ${a.access}`);
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('the device as recorded: a user agent of exactly 256 characters kept whole, an address cut at 64, an empty user agent unknown', async () => {
    const { login, list, clock } = await setup();
    // An address as a proxy forwards it (trust proxy): kept, but never more than 64 characters.
    const long = await login('alice', 'agent', 'a'.repeat(100));
    expect((await list(long.access))[0].ip).to.equal('a'.repeat(64));
    const exact = await login('bob', 'b'.repeat(256));
    expect((await list(exact.access))[0].userAgent).to.equal('b'.repeat(256));
    clock.advance(5);
    const none = await login('bob', '');
    expect((await list(none.access)).map((session) => session.userAgent)).to.deep.equal([null, 'b'.repeat(256)]);
  });

  it('access tokens carry family_id when sessions are on, even without tokenFamilyCheckOnAccess (family_exp stays out)', async () => {
    const { sj, login, list, familyOf } = await setup({ tokenFamilyCheckOnAccess: false });
    const a = await login();
    const access = new sj.AccessToken(a.access);
    expect(access.get('family_id')).to.equal(familyOf(a.refresh));
    expect(access.has('family_exp')).to.equal(false);
    expect((await list(a.access)).map((s) => s.current)).to.deep.equal([true]);
  });

  it('DELETE /<id>/ logs that device out: its refresh and access tokens answer 401, this one keeps working', async () => {
    const { app, login, list, familyOf } = await setup();
    const mine = await login('alice', 'laptop');
    const other = await login('alice', 'phone');
    const res = await request(app)
      .delete(`${SESSIONS}${familyOf(other.refresh)}/`)
      .set('Authorization', `Bearer ${mine.access}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(204);
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: other.refresh }), 'Token family is blacklisted');
    const otherAccess = await request(app).get(SESSIONS).set('Authorization', `Bearer ${other.access}`);
    expect(otherAccess.status).to.equal(401);
    expect(otherAccess.body.messages[0].message).to.equal('Token family is blacklisted');
    expect((await list(mine.access)).map((s) => s.id)).to.deep.equal([familyOf(mine.refresh)]);
    const refreshed = await request(app).post(`${TOKEN}refresh/`).send({ refresh: mine.refresh });
    expect(refreshed.status).to.equal(200);
    // Deleting it again: it is no longer a live session.
    const again = await request(app)
      .delete(`${SESSIONS}${familyOf(other.refresh)}/`)
      .set('Authorization', `Bearer ${mine.access}`);
    expect(again.status).to.equal(404);
    expect(again.body).to.deep.equal(NOT_FOUND);
  });

  it("another user's session: 404 not_found, nothing changed, and never listed", async () => {
    const { app, login, list, familyOf } = await setup();
    const alice = await login('alice');
    const bob = await login('bob');
    const res = await request(app)
      .delete(`${SESSIONS}${familyOf(bob.refresh)}/`)
      .set('Authorization', `Bearer ${alice.access}`);
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal(NOT_FOUND);
    expect((await list(alice.access)).map((s) => s.id)).to.deep.equal([familyOf(alice.refresh)]);
    expect((await list(bob.access)).map((s) => s.id)).to.deep.equal([familyOf(bob.refresh)]);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh: bob.refresh })).status).to.equal(200);
    const others = await request(app).post(`${SESSIONS}revoke-others/`).set('Authorization', `Bearer ${alice.access}`);
    expect(others.body).to.deep.equal({ revoked: 0 });
    expect((await list(bob.access)).length).to.equal(1);
  });

  it('bad ids: unknown, garbage, too long, control characters, bad escapes → 404 (400 for a malformed escape), never a 5xx', async () => {
    const { app, login, list } = await setup();
    const alice = await login('alice');
    const ids = ['f'.repeat(32), 'garbage', 'x'.repeat(300), '%00', 'a%0Ab', '%7F', '%F0%9F%98%80', "1' OR '1'='1", '..', '%25', '%E0%A4%A'];
    for (const id of ids) {
      const res = await request(app).delete(`${SESSIONS}${id}/`).set('Authorization', `Bearer ${alice.access}`);
      expect([400, 404], `${id}: ${res.status} ${JSON.stringify(res.body)}`).to.include(res.status);
      if (res.status === 404) expect(res.body).to.deep.equal(NOT_FOUND);
    }
    expect((await list(alice.access)).length).to.equal(1);
  });

  it('no token: 401 not_authenticated, nothing changed; other methods: 405 with Allow', async () => {
    const { app, login, list, familyOf } = await setup();
    const alice = await login('alice');
    expect401(await request(app).delete(`${SESSIONS}${familyOf(alice.refresh)}/`), 'Authentication credentials were not provided.', 'not_authenticated');
    expect401(await request(app).post(`${SESSIONS}revoke-others/`), 'Authentication credentials were not provided.', 'not_authenticated');
    expect((await list(alice.access)).length).to.equal(1);
    const put = await request(app).put(SESSIONS).set('Authorization', `Bearer ${alice.access}`);
    expect(put.status).to.equal(405);
    expect(put.headers.allow).to.equal('GET, HEAD, OPTIONS');
    // A refresh token is not an access token: the guard refuses it.
    expect((await request(app).get(SESSIONS).set('Authorization', `Bearer ${alice.refresh}`)).status).to.equal(401);
  });

  it("OPTIONS on each path: 200 with that path's Allow; another method on /revoke-others/ or /<id>/: 405 with its own", async () => {
    const { app, login, familyOf } = await setup();
    const alice = await login('alice');
    const auth = `Bearer ${alice.access}`;
    const one = `${SESSIONS}${familyOf(alice.refresh)}/`;
    for (const [path, allow] of [
      [SESSIONS, 'GET, HEAD, OPTIONS'],
      [`${SESSIONS}revoke-others/`, 'POST, OPTIONS'],
      [one, 'DELETE, OPTIONS'],
    ]) {
      const options = await request(app).options(path).set('Authorization', auth);
      expect(options.status, path).to.equal(200);
      expect(options.headers.allow, path).to.equal(allow);
    }
    for (const [res, allow] of [
      [await request(app).put(`${SESSIONS}revoke-others/`).set('Authorization', auth), 'POST, OPTIONS'],
      [await request(app).get(`${SESSIONS}revoke-others/`).set('Authorization', auth), 'POST, OPTIONS'],
      [await request(app).put(one).set('Authorization', auth), 'DELETE, OPTIONS'],
    ] as const) {
      expect(res.status).to.equal(405);
      expect(res.headers.allow).to.equal(allow);
      expect(res.body.detail).to.match(/^Method "(PUT|GET)" not allowed\.$/);
    }
  });

  it('POST /revoke-others/ logs out every other device of the user', async () => {
    const { app, login, list, familyOf } = await setup();
    const mine = await login('alice', 'laptop');
    const others = [await login('alice', 'phone'), await login('alice', 'tablet')];
    const res = await request(app).post(`${SESSIONS}revoke-others/`).set('Authorization', `Bearer ${mine.access}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ revoked: 2 });
    for (const other of others) expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: other.refresh }), 'Token family is blacklisted');
    expect((await list(mine.access)).map((s) => s.id)).to.deep.equal([familyOf(mine.refresh)]);
  });

  it('lastUsedAt: written at most once a minute per session, in the rotation', async () => {
    const { db, app, login, list, clock } = await setup();
    let { refresh, access } = await login('alice');
    const refreshAt = async (seconds: number) => {
      clock.advance(seconds);
      const res = await request(app).post(`${TOKEN}refresh/`).send({ refresh });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      ({ refresh, access } = res.body as { refresh: string; access: string });
    };
    await refreshAt(10);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:00:00.000Z');
    await refreshAt(51); // 61 s after login
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:01.000Z');
    await refreshAt(30);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:01.000Z');
    await refreshAt(31);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:02:02.000Z');
    const [rows] = await db.sequelize.query(`SELECT COUNT(*) AS n FROM ${SESSION_TABLE}`);
    expect(Number((rows as Array<{ n: unknown }>)[0].n)).to.equal(1);
  });

  it("the last use is in the rotation's transaction: its failing write rolls the rotation back, the same token refreshes after", async () => {
    const { db, app, login, clock } = await setup();
    const { refresh } = await login('alice');
    const trigger = 'sjwt_test_planted_session_failure';
    if (db.dialect === 'sqlite') {
      await db.sequelize.query(`CREATE TRIGGER ${trigger} BEFORE UPDATE ON ${SESSION_TABLE} BEGIN SELECT RAISE(ABORT, 'planted'); END`);
    } else if (db.dialect === 'postgres') {
      await db.sequelize.query(`CREATE OR REPLACE FUNCTION ${trigger}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'planted'; END $$ LANGUAGE plpgsql`);
      await db.sequelize.query(`CREATE TRIGGER ${trigger} BEFORE UPDATE ON ${SESSION_TABLE} FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
    } else {
      await db.sequelize.query(`CREATE TRIGGER ${trigger} BEFORE UPDATE ON ${SESSION_TABLE} FOR EACH ROW SIGNAL SQLSTATE 'HY000' SET MESSAGE_TEXT = 'planted'`);
    }
    const count = async (table: string) => {
      const [rows] = await db.sequelize.query(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number((rows as Array<{ n: unknown }>)[0].n);
    };
    const tables = ['token_blacklist_blacklistedtoken', 'token_blacklist_outstandingtoken', 'passport_simplejwt_tokenrotation'];
    const before = await Promise.all(tables.map(count));
    clock.advance(61); // the session is due: the batch updates its row
    const failed = await request(app).post(`${TOKEN}refresh/`).send({ refresh });
    expect(failed.status).to.be.at.least(500);
    expect(await Promise.all(tables.map(count)), 'nothing of the rotation written').to.deep.equal(before);
    await db.sequelize.query(db.dialect === 'postgres' ? `DROP TRIGGER ${trigger} ON ${SESSION_TABLE}` : `DROP TRIGGER ${trigger}`);
    clock.advance(61);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
  });

  it('lastUsedAt without rotation (one write a minute, outside any group commit)', async () => {
    const { sj, app, login, list, clock } = await setup({ rotateRefreshTokens: false, blacklistAfterRotation: false });
    // Counts the statements: the coalescing skips the write in the process, not only in the database.
    const touches = recordTouches(sj);
    const { refresh, access } = await login('alice');
    clock.advance(30);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:00:00.000Z');
    clock.advance(31);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    clock.advance(15);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:01.000Z');
    expect(touches).to.have.length(1);
  });

  it('lastUsedAt without rotation: a refresh at the instant of the last write writes nothing, one a whole minute after writes, one after the clock went back writes', async () => {
    const { sj, app, login, list, clock } = await setup({ rotateRefreshTokens: false, blacklistAfterRotation: false });
    const touches = recordTouches(sj);
    const { refresh, access } = await login('alice');
    const refreshNow = async () => expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    await refreshNow(); // the login's instant: written then
    expect(touches).to.deep.equal([]);
    clock.advance(60); // exactly SESSION_TOUCH_INTERVAL
    await refreshNow();
    expect(touches).to.deep.equal(['2026-01-01T12:01:00.000Z']);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:00.000Z');
    clock.advance(-30); // a clock set back: the last write is no reason to wait
    await refreshNow();
    expect(touches).to.deep.equal(['2026-01-01T12:01:00.000Z', '2026-01-01T12:00:30.000Z']);
  });

  it('lastUsedAt without rotation: the once-a-minute memory holds every session, not only the last one written', async () => {
    const { sj, app, login, clock } = await setup({ rotateRefreshTokens: false, blacklistAfterRotation: false });
    const touches = recordTouches(sj);
    const laptop = await login('alice', 'laptop');
    const phone = await login('alice', 'phone');
    clock.advance(10);
    for (const { refresh } of [laptop, phone, laptop]) expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    expect(touches).to.deep.equal([]);
  });

  it('a storage without session metadata: logins and refreshes go on, and sj.sessions says what is missing', async () => {
    const { sj, app, login } = await setup();
    const { sessions: _none, ...withoutSessions } = sequelizeApps(sj);
    sj.useApps(withoutSessions);
    const { refresh } = await login('alice');
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh })).status).to.equal(200);
    let error: unknown;
    await sj.sessions.list(1).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.equal('passport-simplejwt: the installed storage has no session metadata (AppStorage.sessions)');
  });

  it('sessions off (no token families, or the family app without tokenFamilyEnabled): sj.sessions is not enabled and names the settings', async () => {
    const db = await openDatabase();
    for (const options of [{}, { sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true } }]) {
      const { sj } = makeSJ(options);
      expect(sj.sessions.enabled).to.equal(false);
      let error: unknown;
      await sj.sessions.list(1).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.equal("passport-simplejwt: sessions need token families ('tokenFamilyEnabled: true', 'apps: { tokenFamily: true }')");
    }
  });

  it('maxSessionsPerUser: a login beyond the cap revokes the session used least recently', async () => {
    const { app, login, list, clock } = await setup({ maxSessionsPerUser: 2 });
    const first = await login('alice', 'first');
    clock.advance(10);
    const second = await login('alice', 'second');
    clock.advance(70);
    // The first is used again: the second becomes the least recently used.
    const used = await request(app).post(`${TOKEN}refresh/`).send({ refresh: first.refresh });
    expect(used.status).to.equal(200);
    clock.advance(10);
    const third = await login('alice', 'third');
    expect((await list(third.access)).map((s) => s.userAgent)).to.deep.equal(['third', 'first']);
    expect401(await request(app).post(`${TOKEN}refresh/`).send({ refresh: second.refresh }), 'Token family is blacklisted');
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh: used.body.refresh })).status).to.equal(200);
  });

  it("a flood of logins against the cap (with throttling): every answer 200, 401 or 429, exactly the cap left, the other user's sessions untouched", async () => {
    // The cap is the subject, not the deadline: on a busy machine 32 logins at once may outlast the default 3 s (a correct 503).
    const { app, login, list, sj } = await setup({
      maxSessionsPerUser: 3,
      loginThrottle: { failures: 5, window: '15m', perAddress: 50 },
      storageTimeout: 30,
    });
    const bob = await login('bob');
    const attempt = (i: number) =>
      request(app)
        .post(TOKEN)
        .set('User-Agent', `device-${i}`)
        .set('X-Forwarded-For', `198.51.100.${i}`)
        // Every fourth a wrong password: 401, then 429 once the account's failures are spent.
        .send({ username: 'alice', password: i % 4 === 3 ? 'wrong' : 'alice-password' });
    const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => attempt(i)));
    for (const res of answers) expect([200, 401, 429], JSON.stringify(res.body)).to.include(res.status);
    for (const res of answers) if (res.status === 200) expect(new sj.AccessToken(res.body.access).get('user_id')).to.equal('1');
    expect(answers.filter((res) => res.status === 200).length).to.be.at.least(1);
    const alice = await login('alice', 'last');
    const sessions = await list(alice.access);
    expect(sessions.length).to.equal(3);
    expect(sessions[0].userAgent).to.equal('last');
    expect((await list(bob.access)).length).to.equal(1);
    expect((await sj.sessions.list(1)).length).to.equal(3);
  });

  it('sj.sessions: revoke answers false for ids that are not a live session of that user', async () => {
    const { sj, login, familyOf } = await setup();
    const alice = await login('alice');
    const bob = await login('bob');
    expect(await sj.sessions.revoke(1, familyOf(bob.refresh))).to.equal(false);
    expect(await sj.sessions.revoke(1, '')).to.equal(false);
    expect(await sj.sessions.revoke(1, 'a\u0000b')).to.equal(false);
    expect(await sj.sessions.revoke(2, familyOf(bob.refresh))).to.equal(true);
    expect(await sj.sessions.revoke(2, familyOf(bob.refresh))).to.equal(false);
    expect((await sj.sessions.list(1, familyOf(alice.refresh))).map((s) => s.current)).to.deep.equal([true]);
  });

  it('mounted without a guard, the router itself answers 401 not_authenticated and reads nothing', async () => {
    const { sj, login, list } = await setup();
    const alice = await login('alice');
    const bare = express();
    bare.use(SESSIONS, sessionsRouter(sj));
    expect401(
      await request(bare).get(SESSIONS).set('Authorization', `Bearer ${alice.access}`),
      'Authentication credentials were not provided.',
      'not_authenticated',
    );
    expect401(await request(bare).post(`${SESSIONS}revoke-others/`), 'Authentication credentials were not provided.', 'not_authenticated');
    expect((await list(alice.access)).length).to.equal(1);
  });

  it('lastUsedAt across processes: the database skips a write less than a minute after the last one', async () => {
    const { db, sj, app, login, list, clock } = await setup();
    // A second process: its own instance (and its own memory of writes) on the same database.
    const { sj: second } = makeSJ({ sequelize: db.sequelize, ...sj.options, now: clock.now } as Partial<SimpleJWTOptions<TestUser>>);
    const otherProcess = express().use(TOKEN, tokenRouter(second));
    const { refresh, access } = await login('alice');
    clock.advance(10);
    const res = await request(otherProcess).post(`${TOKEN}refresh/`).send({ refresh });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:00:00.000Z');
    // That process tried at +10 s: it waits a minute from its own try (so a session may read up to two minutes stale).
    clock.advance(61);
    const next = await request(otherProcess).post(`${TOKEN}refresh/`).send({ refresh: res.body.refresh });
    expect(next.status).to.equal(200);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:11.000Z');
    // And the first process, which wrote at login, skips a write the second made 20 s ago.
    clock.advance(20);
    expect((await request(app).post(`${TOKEN}refresh/`).send({ refresh: next.body.refresh })).status).to.equal(200);
    expect((await list(access))[0].lastUsedAt).to.equal('2026-01-01T12:01:11.000Z');
  });

  it('sessionsRouter without token families is refused at once', () => {
    const { sj } = makeSJ();
    expect(() => sessionsRouter(sj)).to.throw(TypeError, /sessionsRouter needs token families/);
  });
});
