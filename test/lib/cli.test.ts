import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../lib/cli';
import { defineModels } from '../../models';
import { djangoTimestampSql, useTestDatabase, type TestDatabase } from '../helpers/database';

const ROOT = resolve(__dirname, '../..');
const PAST = new Date('2000-01-01T00:00:00Z');
const FUTURE = new Date('2999-01-01T00:00:00Z');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process (`runCli`, what the bin calls): its exit code and what it
 * wrote, line by line as the bin writes them. In-process, so that the tests are fast and a
 * mutation run sees the code they exercise; `cliProcess` runs the bin itself.
 */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    { ...parentEnv, ...env },
    (line) => (stdout += `${line}\n`),
    (line) => (stderr += `${line}\n`),
  );
  return { code, stdout, stderr };
}

/** Runs the CLI as cron would: a child process. */
function cliProcess(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(ROOT, 'lib/cli.ts'), ...args], { cwd: ROOT, env: { ...parentEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Asserts what a cron job relies on when the work was not done: exit 1 and exactly one line on stderr. */
function expectFailed(run: Run, message: RegExp, what: string): void {
  expect(run.code, `${what}: ${run.stderr}`).to.equal(1);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines, `${what}: ${run.stderr}`).to.have.length(1);
  expect(lines[0], what)
    .to.match(/^passport-simplejwt: /)
    .and.match(message);
  expect(run.stderr.endsWith('\n'), what).to.equal(true);
}

/** Makes deleting the row whose `column` is 'poison' from `table` fail: a query failing half-way through a flush. */
async function poisonDeletes(db: TestDatabase, table: string, column: string): Promise<void> {
  const name = `poison_${table}`;
  if (db.dialect === 'sqlite') {
    await db.sequelize.query(`CREATE TRIGGER ${name} BEFORE DELETE ON ${table} WHEN OLD.${column} = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
  } else if (db.dialect === 'postgres') {
    await db.sequelize.query(
      `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN IF OLD.${column} = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN OLD; END $$ LANGUAGE plpgsql`,
    );
    await db.sequelize.query(`CREATE TRIGGER ${name} BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  } else {
    await db.sequelize.query(
      `CREATE TRIGGER ${name} BEFORE DELETE ON ${table} FOR EACH ROW BEGIN IF OLD.${column} = 'poison' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END`,
    );
  }
}

const COMMAND_NAMES = ['migrate', 'flushexpiredtokens', 'flushexpiredfamilies'];

async function seedTokens(db: TestDatabase) {
  const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
  const make = (jti: string, expires_at: Date) => OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: PAST, expires_at });
  const expired = await Promise.all(['e1', 'e2', 'e3', 'e4'].map((jti) => make(jti, PAST)));
  const live = await Promise.all(['l1', 'l2'].map((jti) => make(jti, FUTURE)));
  await BlacklistedToken.create({ token_id: expired[0].id, blacklisted_at: PAST });
  await BlacklistedToken.create({ token_id: live[0].id, blacklisted_at: PAST });
  await TokenRotation.create({ token_id: expired[1].id, successor_id: live[1].id, rotated_at: PAST });
  // as Django writes it: seconds without a fraction
  await db.sequelize.query(
    `INSERT INTO token_blacklist_outstandingtoken (jti, token, created_at, expires_at, user_id) VALUES ('django', 'x', NULL, ${djangoTimestampSql(db.dialect, PAST).replace('.000000', '')}, NULL)`,
  );
}

describe('passport-simplejwt CLI', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();

  it("the bin, run as cron runs it: the exit code is the process's, the output on stdout and stderr", async () => {
    const db = await openDatabase();
    const [help, usage, unreachable, flush] = await Promise.all([
      cliProcess(['--help']),
      cliProcess([]),
      cliProcess(['flushexpiredtokens', '--database', 'postgres://postgres@127.0.0.1:1/none']),
      cliProcess(['migrate'], { DATABASE_URL: db.url }),
    ]);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Usage: passport-simplejwt <command>/);
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.match(/no command given/);
    expectFailed(unreachable, /cannot connect to the database/, 'unreachable');
    expect(flush.code, flush.stderr).to.equal(0);
    expect(flush.stderr).to.equal('');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/^Usage: passport-simplejwt <command>/);
    expect(run.stdout).to.include('flushexpiredfamilies');
  });

  it('usage errors exit 2 with a message: no command, unknown command, unknown option, no database, bad URL', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /no command given/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['migrate', '--database', 'sqlite:///tmp/x.sqlite3', '--verbose'], /unknown option '--verbose'/],
      [['migrate'], /no database: pass --database <url> or set DATABASE_URL/],
      [['migrate', '--database', 'oracle://scott@db/x'], /unsupported database 'oracle'/],
      [['migrate', '--database', 'postgres://u:hunter2@[bad'], /invalid database URL 'postgres:\/\/u:\*\*\*@\[bad'/],
      [['migrate', '--database', 'sqlite:///tmp/x.sqlite3', '--apps', 'sessions'], /unknown app 'sessions'/],
      [['flushexpiredtokens', '--database', 'sqlite:///tmp/x.sqlite3', '--batch-size', '0'], /--batch-size must be a positive integer/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    for (const [i, [args, message]] of cases.entries()) {
      const run = runs[i];
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stderr, args.join(' ')).to.match(message);
      expect(run.stderr).to.not.include('hunter2');
    }
  });

  it('an unreachable database, a missing SQLite file or missing tables exit 1 with a message', async () => {
    const unreachable = await cli(['flushexpiredtokens', '--database', 'postgres://postgres@127.0.0.1:1/none']);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(/passport-simplejwt: cannot connect to the database: .*ECONNREFUSED/);
    const dir = mkdtempSync(join(tmpdir(), 'sjwt-cli-'));
    try {
      const missing = await cli(['flushexpiredtokens', '--database', `sqlite://${join(dir, 'nope.sqlite3')}`]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.match(/does not exist \(run 'passport-simplejwt migrate' first\)/);
      const empty = join(dir, 'empty.sqlite3');
      writeFileSync(empty, '');
      const unmigrated = await cli(['flushexpiredfamilies', '--database', `sqlite://${empty}`]);
      expect(unmigrated.code).to.equal(1);
      expect(unmigrated.stderr).to.match(/table 'token_family_tokenfamily' does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('every failure exits 1 with one line on stderr, so a cron job never reports success for work not done', () => {
    it('cannot open: a SQLite path that is a directory, or lies under a file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sjwt-cli-'));
      try {
        const file = join(dir, 'plain-file');
        writeFileSync(file, 'not a directory');
        // (the flush commands check that the file exists first: see the test above)
        const cases = [...COMMAND_NAMES.map((command) => [command, `sqlite://${dir}`]), ['migrate', `sqlite://${join(file, 'db.sqlite3')}`]];
        const runs = await Promise.all(cases.map(([command, url]) => cli([command, '--database', url])));
        for (const [i, [command, url]] of cases.entries()) {
          expectFailed(runs[i], /SQLITE_CANTOPEN|does not exist|ENOTDIR|EEXIST/, `${command} ${url}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('cannot connect: nothing listens on the PostgreSQL or MySQL port', async () => {
      const cases = [
        ['migrate', 'postgres://postgres@127.0.0.1:1/none'],
        ['flushexpiredtokens', 'mysql://root@127.0.0.1:1/none'],
        ['flushexpiredfamilies', 'mariadb://root@127.0.0.1:1/none'],
      ];
      const runs = await Promise.all(cases.map(([command, url]) => cli([command, '--database', url])));
      for (const [i, [command, url]] of cases.entries()) {
        expectFailed(runs[i], /cannot connect to the database: .*ECONNREFUSED/, `${command} ${url}`);
      }
    });

    it('tables missing: the flush commands on a database never migrated', async () => {
      const db = await openDatabase({ migrate: false });
      await db.sequelize.authenticate(); // SQLite: the file exists, empty
      const tokens = await cli(['flushexpiredtokens', '--database', db.url]);
      expectFailed(tokens, /table 'token_blacklist_outstandingtoken' does not exist \(run 'passport-simplejwt migrate' first\)/, 'flushexpiredtokens');
      const families = await cli(['flushexpiredfamilies', '--database', db.url]);
      expectFailed(families, /table 'token_family_tokenfamily' does not exist/, 'flushexpiredfamilies');
    });

    it('a query failing half-way: flushexpiredtokens, flushexpiredfamilies', async () => {
      const db = await openDatabase();
      const { OutstandingToken, TokenFamily } = defineModels(db.sequelize);
      for (const jti of ['t1', 't2', 'poison']) await OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: PAST, expires_at: PAST });
      for (const family_id of ['f1', 'f2', 'poison']) await TokenFamily.create({ family_id, user_id: '1', created_at: PAST, expires_at: PAST });
      await poisonDeletes(db, 'token_blacklist_outstandingtoken', 'jti');
      await poisonDeletes(db, 'token_family_tokenfamily', 'family_id');
      const tokens = await cli(['flushexpiredtokens', '--database', db.url, '--batch-size', '1']);
      expectFailed(tokens, /database error: .*poisoned row/, 'flushexpiredtokens');
      expect(tokens.stdout).to.equal('');
      const families = await cli(['flushexpiredfamilies', '--database', db.url, '--batch-size', '1']);
      expectFailed(families, /database error: .*poisoned row/, 'flushexpiredfamilies');
      expect(await OutstandingToken.count({ where: { jti: 'poison' } })).to.equal(1);
      expect(await TokenFamily.count({ where: { family_id: 'poison' } })).to.equal(1);
    });

    it('a query failing half-way: migrate after its first migration', async () => {
      const db = await openDatabase({ migrate: false });
      // A side table left in a shape the second migration cannot index.
      await db.sequelize.query('CREATE TABLE passport_simplejwt_tokenrotation (id INTEGER PRIMARY KEY)');
      const run = await cli(['migrate', '--database', db.url, '--apps', 'blacklist']);
      expectFailed(run, /database error: Migration token_blacklist\.0002_token_rotation \(up\) failed/, 'migrate');
      expect(await db.sequelize.getQueryInterface().tableExists('token_blacklist_outstandingtoken')).to.equal(true);
    });
  });

  it('migrate creates the tables (DATABASE_URL works as well as --database), then has nothing to do', async () => {
    const db = await openDatabase({ migrate: false });
    const first = await cli(['migrate', '--apps', 'blacklist'], { DATABASE_URL: db.url });
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.equal('applied token_blacklist.0001_initial\napplied token_blacklist.0002_token_rotation\nApplied 2 migrations.\n');
    const second = await cli(['migrate', '--database', db.url]);
    expect(second.stdout).to.equal('applied token_family.0001_initial\napplied token_family.0002_sessions\nApplied 2 migrations.\n');
    const third = await cli(['migrate', '--database', db.url]);
    expect(third.code).to.equal(0);
    expect(third.stdout).to.equal('No migrations to apply.\n');
    expect(await db.sequelize.getQueryInterface().tableExists('token_family_tokenfamily')).to.equal(true);
  });

  it('flushexpiredtokens deletes the expired outstanding tokens with their blacklist and rotation rows, in batches', async () => {
    const db = await openDatabase();
    await seedTokens(db);
    const run = await cli(['flushexpiredtokens', '--database', db.url, '--batch-size', '2']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('Deleted 5 expired outstanding tokens.\n');
    const { OutstandingToken, BlacklistedToken, TokenRotation } = defineModels(db.sequelize);
    expect((await OutstandingToken.findAll({ order: [['jti', 'ASC']] })).map((r) => r.jti)).to.deep.equal(['l1', 'l2']);
    expect(await BlacklistedToken.count()).to.equal(1);
    expect(await TokenRotation.count()).to.equal(0);
    const again = await cli(['flushexpiredtokens', '--database', db.url]);
    expect(again.stdout).to.equal('Deleted 0 expired outstanding tokens.\n');
  });

  it('flushexpiredfamilies deletes expired families with their blacklist rows, never families without expiry', async () => {
    const db = await openDatabase();
    const { TokenFamily, BlacklistedTokenFamily } = defineModels(db.sequelize);
    const make = (family_id: string, expires_at: Date | null) => TokenFamily.create({ family_id, user_id: '1', created_at: PAST, expires_at });
    const old = await make('old', PAST);
    await make('old2', PAST);
    const forever = await make('forever', null);
    await make('live', FUTURE);
    await BlacklistedTokenFamily.create({ family_id: old.id, blacklisted_at: PAST });
    await BlacklistedTokenFamily.create({ family_id: forever.id, blacklisted_at: PAST });
    const run = await cli(['flushexpiredfamilies', '--database', db.url]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('Deleted 2 expired token families.\n');
    expect((await TokenFamily.findAll({ order: [['family_id', 'ASC']] })).map((f) => f.family_id)).to.deep.equal(['forever', 'live']);
    expect(await BlacklistedTokenFamily.count()).to.equal(1);
  });
});
