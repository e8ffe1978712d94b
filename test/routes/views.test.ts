import { expect } from 'chai';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { ServiceUnavailable, Throttled, errorHandler, tokenRouter, type ServerError } from '../../lib';
import { viewHandler, viewRouter, type ViewCheck, type ViewSpec } from '../../routes/view';
import { VIEWS } from '../../routes/views';
import { useTestDatabase } from '../helpers/database';
import { makeSJ } from '../helpers/fixtures';
import { appWith } from '../helpers/app';

const LOGIN = { username: 'alice', password: 'alice-password' };
const BLOCKED = '203.0.113.9';

describe('the view table (routes/views.ts)', () => {
  const openDatabase = useTestDatabase();

  it('tokenRouter mounts every row at its path: OPTIONS names the view, and an empty POST gets an answer the row lists', async () => {
    const db = await openDatabase();
    const { sj } = makeSJ({ sequelize: db.sequelize, apps: { blacklist: true, tokenFamily: true }, tokenFamilyEnabled: true });
    const app = appWith(tokenRouter(sj, { sliding: true, cookies: {} }));
    for (const view of Object.values(VIEWS)) {
      const options = await request(app).options(`/api/token${view.path}`);
      expect(options.status, view.path).to.equal(200);
      expect(options.body.name, view.path).to.equal(view.name);
      const empty = await request(app).post(`/api/token${view.path}`).send({});
      expect(Object.keys(view.answers), `${view.path} answered ${empty.status} ${JSON.stringify(empty.body)}`).to.include(String(empty.status));
    }
  });
});

/** A copy of the obtain-pair row whose early check refuses one address (what a "blocked address → 429" step looks like). */
function blockingObtainPair(check: ViewCheck = blockAddress): ViewSpec {
  return { ...VIEWS.obtainPair, before: () => check };
}

function blockAddress(req: express.Request): void {
  if (req.ip === BLOCKED) throw new Throttled(60);
}

/** The obtain-pair row with an early check, as a router behind a trusted proxy; counts the user store's logins. */
function guardedApp(spec: ViewSpec, mount: 'router' | 'handler' = 'router') {
  const { sj, users } = makeSJ();
  const counted = { logins: 0 };
  const authenticate = users.authenticate.bind(users);
  users.authenticate = async (credentials, req) => {
    counted.logins++;
    return authenticate(credentials, req);
  };
  const seen: unknown[] = [];
  const app = express();
  app.set('trust proxy', true);
  if (mount === 'router') app.use('/api/token/', viewRouter(sj, spec, { bodyLimit: 64 }));
  else app.post('/api/token/', express.json(), viewHandler(sj, spec));
  const own: ErrorRequestHandler = (err, _req, _res, next) => {
    seen.push(err);
    next(err);
  };
  app.use(own);
  app.use(errorHandler({ logger: { error: () => {}, warn: () => {} } }));
  return { app, counted, seen };
}

function expectThrottled(res: request.Response): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(429);
  expect(res.body).to.deep.equal({ detail: 'Request was throttled. Expected available in 60 seconds.', code: 'throttled' });
  expect(res.headers['retry-after']).to.equal('60');
  expect(res.headers.allow).to.equal('POST, OPTIONS');
}

describe('a view’s early check (the `before` column)', () => {
  it('router: a refused address gets its 429 before the body is read: malformed, oversized or fine, no login is tried', async () => {
    const { app, counted } = guardedApp(blockingObtainPair());
    const post = () => request(app).post('/api/token/').set('X-Forwarded-For', BLOCKED);
    expectThrottled(await post().set('Content-Type', 'application/json').send('{"username": '));
    expectThrottled(
      await post()
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ ...LOGIN, padding: 'x'.repeat(200) })),
    );
    expectThrottled(await post().set('Content-Type', 'text/plain').send('hello'));
    expectThrottled(await post().send(LOGIN));
    expect(counted.logins).to.equal(0);
  });

  it('router: any other address goes on to the body parser and the serializer as before', async () => {
    const { app, counted } = guardedApp(blockingObtainPair());
    const post = () => request(app).post('/api/token/').set('X-Forwarded-For', '203.0.113.1');
    const ok = await post().send(LOGIN);
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body).to.have.keys('refresh', 'access');
    expect((await post().set('Content-Type', 'application/json').send('{"username": ')).status).to.equal(400);
    expect(
      (
        await post()
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ ...LOGIN, padding: 'x'.repeat(200) }))
      ).status,
    ).to.equal(413);
    expect(counted.logins).to.equal(1);
  });

  it('plain handler: the check runs first there too', async () => {
    const { app, counted } = guardedApp(blockingObtainPair(), 'handler');
    expectThrottled(await request(app).post('/api/token/').set('X-Forwarded-For', BLOCKED).send(LOGIN));
    const ok = await request(app).post('/api/token/').set('X-Forwarded-For', '203.0.113.1').send(LOGIN);
    expect(ok.status).to.equal(200);
    expect(counted.logins).to.equal(1);
  });

  it('a check whose store is down fails closed (503); a check with a bug is a 500 through next(err)', async () => {
    const down = guardedApp(
      blockingObtainPair(async () => {
        throw new ServiceUnavailable();
      }),
    );
    const res = await request(down.app).post('/api/token/').send(LOGIN);
    expect(res.status).to.equal(503);
    expect(res.body.code).to.equal('service_unavailable');
    expect(down.counted.logins).to.equal(0);

    const buggy = guardedApp(
      blockingObtainPair(() => {
        throw new RangeError('a bug in the check');
      }),
    );
    const bug = await request(buggy.app).post('/api/token/').send(LOGIN);
    expect(bug.status).to.equal(500);
    expect(bug.body).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    expect(buggy.seen).to.have.length(1);
    expect(String((buggy.seen[0] as ServerError).message)).to.match(/a bug in the check/);
    expect(buggy.counted.logins).to.equal(0);
  });
});
