/**
 * No connection is left inside a transaction (SPEC 8): when a write
 * transaction's ROLLBACK fails (a disk or network error at the worst
 * moment), its connection is closed, not kept (the SQLite writer) or pooled
 * (PostgreSQL, MySQL/MariaDB): another connection can write what the
 * transaction had locked at once, nothing of the transaction stays, and the
 * next write transaction works. On every dialect of the run.
 */
import { expect } from 'chai';
import { Sequelize, Transaction, type Options } from 'sequelize';
import { ServiceUnavailable } from '../../lib/errors';
import { isOutage } from '../../lib/storage/fail-closed';
import { execute, selectRows } from '../../models/sql';
import { sqlDialect } from '../../models/sql-dialect';
import { writeTransaction } from '../../models/write-transaction';
import { testDatabaseUrl, useTestDatabase, type TestDatabase } from '../helpers/database';

const PROBE = 'sjwt_write_transaction_probe';

/** `work`, or a rejection after `ms`: a write waiting for a lock the failed transaction still holds. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Call inside a `describe` of PostgreSQL and MariaDB tests: skips them on
 * SQLite, and returns `openDatabase` and `ownSequelize(options)`, a Sequelize
 * of the test's own on the run's database, closed after each test.
 */
function useOwnServerSequelize(): { openDatabase: ReturnType<typeof useTestDatabase>; ownSequelize(options: Options): Sequelize } {
  const openDatabase = useTestDatabase();
  let own: Sequelize | undefined;

  beforeEach(function () {
    if (testDatabaseUrl() === undefined) this.skip();
  });

  afterEach(async () => {
    await own?.close();
    own = undefined;
  });

  return {
    openDatabase,
    ownSequelize(options) {
      own = new Sequelize(testDatabaseUrl()!.replace(/^mariadb:/i, 'mysql:'), { logging: false, ...options });
      return own;
    },
  };
}

describe('writeTransaction: a failed ROLLBACK closes its connection', function () {
  const openDatabase = useTestDatabase();
  let other: Sequelize | undefined;

  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('another connection writes what the transaction had locked, nothing of it stays, the next transaction commits', async () => {
    const db = await openDatabase({ migrate: false });
    const { sequelize } = db;
    await sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);

    // ROLLBACK fails once, as a disk I/O error or a lost connection would make it.
    const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: unknown) => Promise<unknown>;
    let rollbacks = 0;
    (sequelize as unknown as { query: typeof query }).query = (sql, options) => {
      if (typeof sql === 'string' && /^ROLLBACK/i.test(sql) && rollbacks++ === 0) return Promise.reject(new Error('disk I/O error'));
      return query(sql, options);
    };
    const failure = new Error('the work failed');
    const outcome = await writeTransaction(sequelize, Date.now() + 2000, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
      throw failure;
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(outcome).to.equal(failure);
    expect(rollbacks, 'ROLLBACK attempted').to.equal(1);

    // SQLite: another connection to the file, not waiting for locks (busy timeout 0); else the pool's next connection.
    const writer =
      db.dialect === 'sqlite' ? (other = new Sequelize({ dialect: 'sqlite', storage: db.url.slice('sqlite://'.length), logging: false })) : sequelize;
    await within(writer.query(`INSERT INTO ${PROBE} (id) VALUES (1)`), 2000, 'another connection writing the locked row');
    const [rows] = await writer.query(`SELECT id FROM ${PROBE}`);
    expect(rows).to.have.length(1);

    await writeTransaction(sequelize, Date.now() + 2000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction));
    const [after] = await writer.query(`SELECT id FROM ${PROBE} ORDER BY id`);
    expect((after as Array<{ id: number | string }>).map((row) => Number(row.id))).to.deep.equal([1, 2]);
    await sequelize.query(`DROP TABLE ${PROBE}`);
  });
});

/** The isolation level the running transaction has, as the server reports it (upper case). */
async function isolationInside(db: TestDatabase, sequelize: Sequelize, transaction: Transaction): Promise<string> {
  if (db.dialect === 'postgres') {
    const [row] = await selectRows<{ level: string }>(sequelize, 'SELECT current_setting($1) AS level', ['transaction_isolation'], transaction);
    return row.level.toUpperCase();
  }
  // InnoDB lists a transaction once it has touched a table (the probe's insert before this), in a table it
  // refreshes at most every 0.1 s: asked again until the row is there.
  for (let attempt = 0; ; attempt++) {
    const [row] = await selectRows<{ level: string }>(
      sequelize,
      'SELECT trx_isolation_level AS level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()',
      [],
      transaction,
    );
    if (row !== undefined) return row.level.toUpperCase();
    if (attempt === 10) throw new Error('the transaction is not in information_schema.innodb_trx');
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe("writeTransaction on PostgreSQL and MariaDB: Sequelize's isolationLevel, the deadline", function () {
  const { openDatabase, ownSequelize } = useOwnServerSequelize();

  /** A Sequelize of its own on the run's database, with `isolationLevel` as an app would set it. */
  function withIsolation(db: TestDatabase, isolationLevel: string): Sequelize {
    const own = ownSequelize({ isolationLevel: isolationLevel as Transaction.ISOLATION_LEVELS });
    expect(sqlDialect(own)).to.equal(db.dialect);
    return own;
  }

  for (const level of ['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']) {
    it(`runs the write at the isolationLevel of the Sequelize instance (${level}), and commits`, async () => {
      const db = await openDatabase({ migrate: false });
      await db.sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
      await db.sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
      const sequelize = withIsolation(db, level);
      const seen = await writeTransaction(sequelize, Date.now() + 5000, async (transaction) => {
        await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
        return isolationInside(db, sequelize, transaction);
      });
      expect(seen).to.equal(level);
      const [rows] = await db.sequelize.query(`SELECT id FROM ${PROBE}`);
      expect(rows, 'committed').to.have.length(1);
      await db.sequelize.query(`DROP TABLE ${PROBE}`);
    });
  }

  it("an isolationLevel that is not one of SQL's four is not written into SQL: the write runs at the server's default level and commits", async () => {
    const db = await openDatabase({ migrate: false });
    await db.sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await db.sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
    const sequelize = withIsolation(db, 'SNAPSHOT; DROP TABLE passport_simplejwt_migrations');
    const seen = await writeTransaction(sequelize, Date.now() + 5000, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
      return isolationInside(db, sequelize, transaction);
    });
    expect(seen).to.equal(db.dialect === 'postgres' ? 'READ COMMITTED' : 'REPEATABLE READ');
    const [rows] = await db.sequelize.query(`SELECT id FROM ${PROBE}`);
    expect(rows, 'committed').to.have.length(1);
    await db.sequelize.query(`DROP TABLE ${PROBE}`);
  });

  it('a write still running at its deadline is given up then, with a 503, and nothing of it is committed; the next write commits', async () => {
    const db = await openDatabase({ migrate: false });
    const { sequelize } = db;
    await sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
    const sleep = db.dialect === 'postgres' ? 'SELECT pg_sleep(3)' : 'SELECT SLEEP(3)';
    const started = Date.now();
    const outcome = await writeTransaction(sequelize, started + 400, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
      await selectRows(sequelize, sleep, [], transaction);
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    const elapsed = Date.now() - started;
    expect(outcome, 'refused').to.be.instanceOf(Error);
    expect(isOutage(outcome), String(outcome)).to.equal(true);
    expect(elapsed, 'answered at the deadline, not when the statement ends').to.be.below(1500);
    const [rows] = await sequelize.query(`SELECT id FROM ${PROBE}`);
    expect(rows, 'nothing committed').to.have.length(0);
    await writeTransaction(sequelize, Date.now() + 5000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction));
    const [after] = await sequelize.query(`SELECT id FROM ${PROBE}`);
    expect((after as Array<{ id: number | string }>).map((row) => Number(row.id))).to.deep.equal([2]);
    await sequelize.query(`DROP TABLE ${PROBE}`);
  });
});

describe('writeTransaction on PostgreSQL and MariaDB: the connection after a failure (a pool of one connection)', function () {
  const { openDatabase, ownSequelize } = useOwnServerSequelize();

  /** The run's database through a pool of one connection: a connection kept is the one the next write gets. */
  async function poolOfOne(db: TestDatabase): Promise<Sequelize> {
    await db.sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await db.sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
    return ownSequelize({ pool: { max: 1, acquire: 5000 } });
  }

  /** The server's id of the connection a write transaction runs on. */
  async function serverConnection(db: TestDatabase, sequelize: Sequelize, transaction: Transaction): Promise<string> {
    const [row] = await selectRows<{ id: number | string }>(
      sequelize,
      db.dialect === 'postgres' ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id',
      [],
      transaction,
    );
    return String(row.id);
  }

  async function ids(db: TestDatabase): Promise<number[]> {
    const [rows] = await db.sequelize.query(`SELECT id FROM ${PROBE} ORDER BY id`);
    return (rows as Array<{ id: number | string }>).map((row) => Number(row.id));
  }

  it('no connection free before the deadline: the write is refused then (503), and the connection freed later goes back to the pool, not lost', async () => {
    const db = await openDatabase({ migrate: false });
    const sequelize = await poolOfOne(db);
    // Another request holds the pool's only connection.
    const held = await sequelize.transaction();
    const started = Date.now();
    const outcome = await writeTransaction(sequelize, started + 300, (transaction) =>
      execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isOutage(outcome), String(outcome)).to.equal(true);
    expect(Date.now() - started, 'refused at its deadline').to.be.below(1500);
    await held.commit();
    // The connection the refused write was waiting for is handed back: the next write gets it at once.
    await writeTransaction(sequelize, Date.now() + 2000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction));
    expect(await ids(db)).to.deep.equal([2]);
  });

  it('a write that ends only after its deadline (the process stalled) is refused with a 503 and rolled back, and its connection, which answered, is kept', async () => {
    const db = await openDatabase({ migrate: false });
    const sequelize = await poolOfOne(db);
    let first = '';
    const outcome = await writeTransaction(sequelize, Date.now() + 300, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction);
      first = await serverConnection(db, sequelize, transaction);
      // The event loop blocked past the deadline (a long GC pause, a starved CPU): no timer can run meanwhile.
      const until = Date.now() + 500;
      while (Date.now() < until) {
        // busy
      }
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(outcome, 'refused').to.be.instanceOf(ServiceUnavailable);
    expect(await ids(db), 'nothing committed behind the 503').to.deep.equal([]);
    const next = await writeTransaction(sequelize, Date.now() + 2000, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction);
      return serverConnection(db, sequelize, transaction);
    });
    expect(next, 'the same connection, rolled back and pooled').to.equal(first);
    expect(await ids(db)).to.deep.equal([2]);
  });

  it('a COMMIT that fails (a deferred unique constraint) rejects, commits nothing, and its connection is not used again (PostgreSQL)', async function () {
    const db = await openDatabase({ migrate: false });
    if (db.dialect !== 'postgres') this.skip();
    const sequelize = await poolOfOne(db);
    await db.sequelize.query(`DROP TABLE IF EXISTS ${PROBE}_deferred`);
    await db.sequelize.query(`CREATE TABLE ${PROBE}_deferred (id INTEGER, CONSTRAINT ${PROBE}_once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)`);
    let first = '';
    const outcome = await writeTransaction(sequelize, Date.now() + 3000, async (transaction) => {
      first = await serverConnection(db, sequelize, transaction);
      // Checked only at COMMIT.
      await execute(sequelize, `INSERT INTO ${PROBE}_deferred (id) VALUES ($1), ($1)`, [7], transaction);
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String(outcome)).to.match(/unique|duplicate/i);
    const [rows] = await db.sequelize.query(`SELECT id FROM ${PROBE}_deferred`);
    expect(rows, 'nothing committed').to.have.length(0);
    const next = await writeTransaction(sequelize, Date.now() + 3000, (transaction) => serverConnection(db, sequelize, transaction));
    expect(next, 'a connection whose COMMIT failed is closed, not pooled').to.not.equal(first);
    await db.sequelize.query(`DROP TABLE ${PROBE}_deferred`);
  });
});

describe("writeTransaction on SQLite: another process's write lock", function () {
  const openDatabase = useTestDatabase();
  let other: Sequelize | undefined;

  beforeEach(function () {
    if (testDatabaseUrl() !== undefined) this.skip();
  });

  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  /** Another process writing to the file: it holds the write lock from `BEGIN IMMEDIATE` for `ms`, then commits its row. */
  async function holdWriteLock(db: TestDatabase, ms: number): Promise<{ released: Promise<void> }> {
    other = new Sequelize({ dialect: 'sqlite', storage: db.url.slice('sqlite://'.length), logging: false });
    const transaction = await other.transaction({ type: Transaction.TYPES.IMMEDIATE });
    await other.query(`INSERT INTO ${PROBE} (id) VALUES (100)`, { transaction });
    return { released: new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => transaction.commit()) };
  }

  async function probe(db: TestDatabase): Promise<void> {
    await db.sequelize.query(`DROP TABLE IF EXISTS ${PROBE}`);
    await db.sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
  }

  async function ids(db: TestDatabase): Promise<number[]> {
    const [rows] = await db.sequelize.query(`SELECT id FROM ${PROBE} ORDER BY id`);
    return (rows as Array<{ id: number | string }>).map((row) => Number(row.id));
  }

  it('a write waits for the lock while its deadline allows, then commits after the other process', async () => {
    const db = await openDatabase({ migrate: false });
    await probe(db);
    const { released } = await holdWriteLock(db, 400);
    await writeTransaction(db.sequelize, Date.now() + 3000, (transaction) => execute(db.sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction));
    await released;
    expect(await ids(db)).to.deep.equal([1, 100]);
  });

  it('a lock held past the deadline: the write gives up at its deadline with a 503 and writes nothing', async () => {
    const db = await openDatabase({ migrate: false });
    await probe(db);
    const { released } = await holdWriteLock(db, 2500);
    const started = Date.now();
    const outcome = await writeTransaction(db.sequelize, started + 400, (transaction) =>
      execute(db.sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    const elapsed = Date.now() - started;
    expect(isOutage(outcome), String(outcome)).to.equal(true);
    expect(elapsed, 'given up at the deadline, not when the lock is released').to.be.below(1500);
    await released;
    expect(await ids(db)).to.deep.equal([100]);
    // The writer is not left inside a transaction: the next write commits.
    await writeTransaction(db.sequelize, Date.now() + 3000, (transaction) => execute(db.sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction));
    expect(await ids(db)).to.deep.equal([2, 100]);
  });
});

describe('writeTransaction on SQLite in memory: the one connection is never closed', function () {
  let memory: Sequelize | undefined;

  beforeEach(function () {
    if (testDatabaseUrl() !== undefined) this.skip();
  });

  afterEach(async () => {
    await memory?.close();
    memory = undefined;
  });

  it('a transaction a trigger rolled back (its ROLLBACK then fails) keeps the data committed before, and the next write commits', async () => {
    memory = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    const sequelize = memory;
    await sequelize.query(`CREATE TABLE ${PROBE} (id INTEGER PRIMARY KEY)`);
    // A row the trigger refuses: RAISE(ROLLBACK) ends the whole transaction, so the writer's own ROLLBACK fails.
    await sequelize.query(`CREATE TRIGGER ${PROBE}_refuse BEFORE INSERT ON ${PROBE} WHEN NEW.id = 13 BEGIN SELECT RAISE(ROLLBACK, 'refused'); END`);
    await writeTransaction(sequelize, Date.now() + 3000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [1], transaction));
    const outcome = await writeTransaction(sequelize, Date.now() + 3000, async (transaction) => {
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [2], transaction);
      await execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [13], transaction);
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String(outcome)).to.match(/refused/);
    await writeTransaction(sequelize, Date.now() + 3000, (transaction) => execute(sequelize, `INSERT INTO ${PROBE} (id) VALUES ($1)`, [3], transaction));
    const [rows] = await sequelize.query(`SELECT id FROM ${PROBE} ORDER BY id`);
    expect((rows as Array<{ id: number }>).map((row) => Number(row.id))).to.deep.equal([1, 3]);
  });
});
