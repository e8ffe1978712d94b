import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { ServerError, ServiceUnavailable, TokenError } from '../../../lib';
import { failClosed } from '../../../lib/extend';
import { isOutage } from '../../../lib/storage/fail-closed';

/** What failClosed() turns a failing piece of work into. */
async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return failClosed(work).then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('failClosed(): an outage is a 503, anything else a 500 with its cause', () => {
  it('a database server that refuses connections (Sequelize over pg and mysql2): ServiceUnavailable', async () => {
    for (const url of ['postgres://postgres@127.0.0.1:1/none', 'mysql://root@127.0.0.1:1/none']) {
      const sequelize = new Sequelize(url, { logging: false, retry: { max: 0 } });
      const err = await failureOf(sequelize.authenticate());
      await sequelize.close();
      expect(err, url).to.be.instanceOf(ServiceUnavailable);
      expect((err as ServiceUnavailable).cause, url).to.have.property('name', 'SequelizeConnectionRefusedError');
    }
  });

  it('SQLite busy beyond its busy timeout: ServiceUnavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sjwt-busy-'));
    const file = join(dir, 'db.sqlite3');
    const holder = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
    const other = new Sequelize({ dialect: 'sqlite', storage: file, logging: false, retry: { max: 1 } });
    try {
      await holder.query('CREATE TABLE t (x INTEGER)');
      await holder.query('BEGIN EXCLUSIVE');
      const err = await failureOf(other.query('INSERT INTO t VALUES (1)'));
      expect(err).to.be.instanceOf(ServiceUnavailable);
      await holder.query('ROLLBACK');
    } finally {
      await holder.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pg's client-side query_timeout (what storageTimeout sets on PostgreSQL): ServiceUnavailable, not a 500", async function () {
    const url = process.env.TEST_DATABASE_URL?.trim();
    if (url === undefined || !/^postgres/i.test(url)) this.skip(); // a PostgreSQL server: TEST_DATABASE_URL=postgres://…
    const sequelize = new Sequelize(url!, { logging: false, dialectOptions: { query_timeout: 100 } });
    try {
      const err = await failureOf(sequelize.query('SELECT pg_sleep(2)'));
      expect(err, String(err)).to.be.instanceOf(ServiceUnavailable);
    } finally {
      await sequelize.close();
    }
  });

  it("a pool closed by the app's shutdown: ServiceUnavailable", async () => {
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    await sequelize.close();
    expect(await failureOf(sequelize.query('SELECT 1'))).to.be.instanceOf(ServiceUnavailable);
  });

  it('socket codes anywhere in the cause chain, and inside an AggregateError (IPv4 and IPv6 both refused)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(isOutage(new Error('query failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }))).to.equal(true);
    expect(isOutage(new AggregateError([refused, refused]))).to.equal(true);
    expect(isOutage(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).to.equal(true);
    expect(isOutage(Object.assign(new Error('could not connect'), { code: '08006' }))).to.equal(true);
    // pg's socket closed under a query: no code, wrapped by Sequelize as a DatabaseError.
    const lost = Object.assign(new Error('SequelizeDatabaseError'), {
      name: 'SequelizeDatabaseError',
      parent: new Error('Connection terminated unexpectedly'),
    });
    expect(isOutage(lost)).to.equal(true);
  });

  it('a bug is a ServerError (500) whose cause is the original error; inner is a deprecated alias', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const err = await failureOf(Promise.reject(bug));
    expect(err).to.be.instanceOf(ServerError);
    expect((err as ServerError).status).to.equal(500);
    expect((err as ServerError).code).to.equal('server_error');
    expect((err as ServerError).cause).to.equal(bug);
    expect((err as ServerError).inner).to.equal(bug);
    expect((err as ServerError).message).to.include("TypeError: Cannot read properties of undefined (reading 'id')");
    expect((err as ServerError).toJSON()).to.deep.equal({ detail: 'A server error occurred.', code: 'server_error' });
    expect(isOutage(bug)).to.equal(false);
    expect(isOutage(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).to.equal(false);
  });

  it("the package's own errors pass unchanged", async () => {
    const token = new TokenError('Token is blacklisted');
    expect(await failureOf(Promise.reject(token))).to.equal(token);
  });
});
