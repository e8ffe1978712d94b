import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { ServerError, ServiceUnavailable, TokenError } from '../../../lib';
import { failClosed } from '../../../lib/extend';
import { asPackageError, isOutage } from '../../../lib/storage/fail-closed';

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

  it("Sequelize's connection errors known by their name alone (no code, no driver message): ServiceUnavailable", async () => {
    for (const name of ['SequelizeConnectionAcquireTimeoutError', 'SequelizeHostNotReachableError', 'SequelizeTimeoutError']) {
      const err = Object.assign(new Error('Operation timeout'), { name });
      expect(await failureOf(Promise.reject(err)), name).to.be.instanceOf(ServiceUnavailable);
    }
    expect(await failureOf(Promise.reject(Object.assign(new Error('x'), { name: 'SequelizeValidationError' })))).to.be.instanceOf(ServerError);
  });

  describe('a missing table or column: a 500 that names it and the command that creates it', () => {
    const APPS = 'the database lacks a table or column of the apps';

    async function serverError(err: unknown): Promise<string> {
      const failure = await failureOf(Promise.reject(err));
      expect(failure).to.be.instanceOf(ServerError);
      expect((failure as ServerError).cause).to.equal(err);
      return (failure as ServerError).message;
    }

    it('PostgreSQL (42P01, 42703) and MySQL/MariaDB (ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR), known by their code', async () => {
      const pg = Object.assign(new Error('relation "token_blacklist_outstandingtoken" does not exist'), { code: '42P01' });
      expect(await serverError(pg)).to.include(`${APPS} (relation "token_blacklist_outstandingtoken" does not exist)`);
      const column = Object.assign(new Error('column "family_id" does not exist'), { code: '42703' });
      expect(await serverError(column)).to.include(`${APPS} (column "family_id" does not exist)`);
      // MySQL names the table with its database: still one of the package's.
      const mysql = Object.assign(new Error("Table 'app.token_family_tokenfamily' doesn't exist"), { code: 'ER_NO_SUCH_TABLE' });
      expect(await serverError(mysql)).to.include(
        `${APPS} (Table 'app.token_family_tokenfamily' doesn't exist): create them with \`npx passport-simplejwt migrate\``,
      );
      const field = Object.assign(new Error("Unknown column 'session_name' in 'field list'"), { code: 'ER_BAD_FIELD_ERROR' });
      expect(await serverError(field)).to.include(APPS);
    });

    it("the app's own table, on PostgreSQL and MySQL (with its database or schema): named as the app's", async () => {
      const pg = Object.assign(new Error('relation "public.users" does not exist'), { code: '42P01' });
      expect(await serverError(pg)).to.include("the app's table 'users' does not exist");
      const mysql = Object.assign(new Error("Table 'app.users' doesn't exist"), { code: 'ER_NO_SUCH_TABLE' });
      expect(await serverError(mysql)).to.include(
        "the app's table 'users' does not exist (Table 'app.users' doesn't exist): create it with your app's migrations",
      );
    });

    it('another SQL error (SQLITE_ERROR, a syntax error, a code-less driver error) is the generic unexpected error', async () => {
      for (const err of [
        Object.assign(new Error('SQLITE_ERROR: near "SELEC": syntax error'), { code: 'SQLITE_ERROR' }),
        Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }),
        new Error('relation is weird'),
      ]) {
        const message = await serverError(err);
        expect(message, err.message).to.include(`unexpected error: Error: ${err.message}`);
        expect(message, err.message).not.to.include('migrate');
      }
    });
  });

  describe('asPackageError(err, logger): a 500 remembers the logger that errorHandler() logs it through', () => {
    const logger = { error: () => undefined, warn: () => undefined };

    it('the logger is not an enumerable member: a log serializer copying the error does not dump it', () => {
      const err = asPackageError(new TypeError('bug'), logger);
      expect(err).to.be.instanceOf(ServerError);
      expect((err as ServerError).logger).to.equal(logger);
      expect(Object.keys(err)).not.to.include('logger');
      expect(JSON.stringify({ ...err })).not.to.include('warn');
    });

    it('an error that already has its logger keeps it; a 503 or a token error gets none', () => {
      const first = asPackageError(new TypeError('bug'), logger) as ServerError;
      const other = { error: () => undefined, warn: () => undefined };
      expect(asPackageError(first, other)).to.equal(first);
      expect(first.logger).to.equal(logger);
      const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      const outage = asPackageError(refused, logger);
      expect(outage).to.be.instanceOf(ServiceUnavailable);
      expect((outage as unknown as { logger?: unknown }).logger).to.equal(undefined);
      const token = asPackageError(new TokenError('Token is blacklisted'), logger);
      expect((token as unknown as { logger?: unknown }).logger).to.equal(undefined);
    });
  });

  it("the package's own errors pass unchanged", async () => {
    const token = new TokenError('Token is blacklisted');
    expect(await failureOf(Promise.reject(token))).to.equal(token);
  });
});
