import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lib/cli';
import { defineModels } from '../../models';
import { useTestDatabase } from '../helpers/database';

// The command line's arguments, URLs and messages, as a deploy script or a cron job sees them
// (test/lib/cli.test.ts runs the commands themselves). In-process: runCli is what the bin calls.

const PAST = new Date('2000-01-01T00:00:00Z');
const USAGE_HINT = "Run 'passport-simplejwt --help' for usage.";

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** Runs the CLI with only `env` as its environment; what it wrote, line by line. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(
    args,
    env,
    (line) => void stdout.push(line),
    (line) => void stderr.push(line),
  );
  return { code, stdout, stderr };
}

/** Asserts a usage error: exit 2, the message, then the hint, nothing else. */
function expectUsage(run: Run, message: string): void {
  expect(run.stderr, run.stderr.join('\n')).to.deep.equal([`passport-simplejwt: ${message}`, USAGE_HINT]);
  expect(run.code).to.equal(2);
  expect(run.stdout).to.deep.equal([]);
}

describe('passport-simplejwt CLI: arguments, URLs and messages', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();

  describe('usage', () => {
    it('-h, --help and help print the usage on stdout (no trailing blank line) and exit 0, even beside a command', async () => {
      for (const args of [['-h'], ['--help'], ['help'], ['migrate', '--help'], ['help', 'migrate'], ['--help', 'flushexpiredtokens']]) {
        const run = await cli(args);
        expect(run.code, args.join(' ')).to.equal(0);
        expect(run.stderr, args.join(' ')).to.deep.equal([]);
        expect(run.stdout, args.join(' ')).to.have.length(1);
        expect(run.stdout[0]).to.match(/^Usage: passport-simplejwt <command> \[--database <url>\] \[options\]\n/);
        expect(run.stdout[0]).to.match(/Exit codes: 0 success, 1 database error, 2 usage error\.$/);
      }
    });

    it('each usage error: its message, then the hint to run --help, exit 2', async () => {
      expectUsage(await cli([]), 'no command given');
      expectUsage(await cli(['frobnicate']), "unknown command 'frobnicate' (known: migrate, flushexpiredtokens, flushexpiredfamilies)");
      expectUsage(await cli(['migrate', 'flushexpiredtokens']), "unexpected argument 'flushexpiredtokens'");
      expectUsage(await cli(['migrate', '-v']), "unknown option '-v'");
      expectUsage(await cli(['migrate', '--database']), '--database needs a value');
      expectUsage(await cli(['migrate', '--database=']), '--database needs a value');
      expectUsage(await cli(['migrate', '--database', '']), '--database needs a value');
      expectUsage(await cli(['migrate', '--apps']), '--apps needs a value');
    });

    it('--batch-size: a positive integer, as a separate or an inline value', async () => {
      for (const value of ['1.5', 'abc', '-1', '0x', 'Infinity']) {
        expectUsage(await cli(['flushexpiredtokens', '--batch-size', value]), '--batch-size must be a positive integer');
        expectUsage(await cli(['flushexpiredtokens', `--batch-size=${value}`]), '--batch-size must be a positive integer');
      }
    });

    it('--apps: names separated by commas, spaces and empty names ignored; no name at all is refused', async () => {
      expectUsage(await cli(['migrate', '--apps', ' , ,']), '--apps names no app (use blacklist, tokenFamily or both)');
      expectUsage(await cli(['migrate', '--apps', 'blacklist,sessions']), "unknown app 'sessions' in --apps (known: blacklist, tokenFamily)");
      const db = await openDatabase({ migrate: false });
      const run = await cli(['migrate', `--database=${db.url}`, '--apps= tokenFamily , ']);
      expect(run.code, run.stderr.join('\n')).to.equal(0);
      expect(run.stdout).to.deep.equal(['applied token_family.0001_initial', 'applied token_family.0002_sessions', 'Applied 2 migrations.']);
      expect(await db.sequelize.getQueryInterface().tableExists('token_blacklist_outstandingtoken')).to.equal(false);
    });
  });

  describe('the database URL', () => {
    it('no database: neither --database nor DATABASE_URL (an empty or blank one is none)', async () => {
      for (const env of [{}, { DATABASE_URL: '' }, { DATABASE_URL: '   ' }] as Array<Record<string, string>>) {
        expectUsage(await cli(['migrate'], env), 'no database: pass --database <url> or set DATABASE_URL');
      }
    });

    it('DATABASE_URL is trimmed; --database wins over it', async () => {
      const db = await openDatabase();
      const fromEnv = await cli(['flushexpiredtokens'], { DATABASE_URL: `  ${db.url}\n` });
      expect(fromEnv.code, fromEnv.stderr.join('\n')).to.equal(0);
      expect(fromEnv.stdout).to.deep.equal(['Deleted 0 expired outstanding tokens.']);
      const given = await cli(['flushexpiredtokens', '--database', db.url], { DATABASE_URL: 'oracle://nowhere/x' });
      expect(given.code, given.stderr.join('\n')).to.equal(0);
    });

    it('sqlite: without a file, in any case of the scheme, and :memory:', async () => {
      for (const url of ['sqlite:', 'sqlite://', 'SQLITE://']) {
        expectUsage(await cli(['migrate', '--database', url]), `invalid database URL '${url}': no SQLite file (use sqlite:///abs/path.sqlite3)`);
      }
      const db = await openDatabase({ migrate: false });
      const upper = await cli(['migrate', '--database', db.url.replace(/^sqlite:/, 'SQLite:')]);
      expect(upper.code, upper.stderr.join('\n')).to.equal(0);
      expect(upper.stdout.at(-1)).to.equal('Applied 4 migrations.');
      // An in-memory database is never a missing file: the flush commands find no tables in it.
      const memory = await cli(['flushexpiredtokens', '--database', 'sqlite://:memory:']);
      expect(memory.code).to.equal(1);
      expect(memory.stderr).to.deep.equal([
        "passport-simplejwt: table 'token_blacklist_outstandingtoken' does not exist (run 'passport-simplejwt migrate' first)",
      ]);
      const migrated = await cli(['migrate', '--database', 'sqlite::memory:']);
      expect(migrated.code, migrated.stderr.join('\n')).to.equal(0);
      expect(migrated.stdout.at(-1)).to.equal('Applied 4 migrations.');
    });

    it('the flush commands never create a SQLite file: a missing one is named, exit 1', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sjwt-cli-args-'));
      try {
        const file = join(dir, 'typo.sqlite3');
        for (const command of ['flushexpiredtokens', 'flushexpiredfamilies']) {
          const run = await cli([command, '--database', `sqlite://${file}`]);
          expect(run.code, command).to.equal(1);
          expect(run.stderr, command).to.deep.equal([
            `passport-simplejwt: SQLite database file '${file}' does not exist (run 'passport-simplejwt migrate' first)`,
          ]);
          expect(existsSync(file), command).to.equal(false);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('server URLs: postgresql:// is PostgreSQL; a URL without a host or that does not parse is refused, its password hidden', async () => {
      const pg = await cli(['flushexpiredtokens', '--database', 'postgresql://postgres@127.0.0.1:1/none']);
      expect(pg.code).to.equal(1);
      expect(pg.stderr).to.have.length(1);
      expect(pg.stderr[0]).to.match(/^passport-simplejwt: cannot connect to the database: .*ECONNREFUSED/);
      expectUsage(await cli(['migrate', '--database', 'postgres://u:hunter2@/db']), "invalid database URL 'postgres://u:***@/db'");
      expectUsage(await cli(['migrate', '--database', 'mysql:///db']), "invalid database URL 'mysql:///db': no host");
      expectUsage(await cli(['migrate', '--database', 'mysql://root:s3cret@[::1/db']), "invalid database URL 'mysql://root:***@[::1/db'");
      expectUsage(
        await cli(['migrate', '--database', 'mongodb://u:pw@db.example/x']),
        "unsupported database 'mongodb' in the URL (use sqlite://, postgres://, mysql:// or mariadb://)",
      );
      // A URL without a user or password is shown as given.
      expectUsage(await cli(['migrate', '--database', 'postgres://[bad']), "invalid database URL 'postgres://[bad'");
    });
  });

  describe('what a run reports', () => {
    it('one of each: "Applied 1 migration.", "Deleted 1 expired outstanding token.", "Deleted 1 expired token family."', async () => {
      const db = await openDatabase({ migrate: false });
      // A migrate stopped after its first migration (the side table in a shape the second cannot index) resumes with the second.
      await db.sequelize.query('CREATE TABLE passport_simplejwt_tokenrotation (id INTEGER PRIMARY KEY)');
      const failed = await cli(['migrate', '--database', db.url, '--apps', 'blacklist']);
      expect(failed.code).to.equal(1);
      await db.sequelize.query('DROP TABLE passport_simplejwt_tokenrotation');
      const resumed = await cli(['migrate', '--database', db.url, '--apps', 'blacklist']);
      expect(resumed.code, resumed.stderr.join('\n')).to.equal(0);
      expect(resumed.stdout).to.deep.equal(['applied token_blacklist.0002_token_rotation', 'Applied 1 migration.']);
      expect((await cli(['migrate', '--database', db.url])).code).to.equal(0);

      const { OutstandingToken, TokenFamily } = defineModels(db.sequelize);
      await OutstandingToken.create({ jti: 'old', token: 'token-old', user_id: '1', created_at: PAST, expires_at: PAST });
      await TokenFamily.create({ family_id: 'old', user_id: '1', created_at: PAST, expires_at: PAST });
      const tokens = await cli(['flushexpiredtokens', '--database', db.url]);
      expect(tokens).to.deep.equal({ code: 0, stdout: ['Deleted 1 expired outstanding token.'], stderr: [] });
      const families = await cli(['flushexpiredfamilies', '--database', db.url]);
      expect(families).to.deep.equal({ code: 0, stdout: ['Deleted 1 expired token family.'], stderr: [] });
    });

    it('a database error is one line: the message and the driver message Sequelize leaves out, line breaks folded', async function () {
      const db = await openDatabase();
      if (db.dialect !== 'sqlite') this.skip(); // a SQLite trigger (cli.test.ts poisons deletes on every dialect)
      // A failing SQLite trigger surfaces as Sequelize's bare "Validation error"; its driver error holds the reason.
      await db.sequelize.query(
        "CREATE TRIGGER no_deletes BEFORE DELETE ON token_family_tokenfamily BEGIN SELECT RAISE(ABORT, 'deletes are off\n  until the audit\n'); END",
      );
      const { TokenFamily } = defineModels(db.sequelize);
      await TokenFamily.create({ family_id: 'old', user_id: '1', created_at: PAST, expires_at: PAST });
      const run = await cli(['flushexpiredfamilies', '--database', db.url]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.deep.equal([]);
      expect(run.stderr).to.have.length(1);
      expect(run.stderr[0]).to.match(/^passport-simplejwt: database error: \S.*deletes are off until the audit$/);
    });

    it('each batch is its own transaction: the batches before a failing one stay deleted', async function () {
      const db = await openDatabase();
      if (db.dialect !== 'sqlite') this.skip(); // a SQLite trigger
      const { OutstandingToken } = defineModels(db.sequelize);
      for (const jti of ['t1', 't2', 'poison']) await OutstandingToken.create({ jti, token: `token-${jti}`, user_id: '1', created_at: PAST, expires_at: PAST });
      await db.sequelize.query(
        "CREATE TRIGGER poison BEFORE DELETE ON token_blacklist_outstandingtoken WHEN OLD.jti = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
      );
      const run = await cli(['flushexpiredtokens', '--database', db.url, '--batch-size', '1']);
      expect(run.code).to.equal(1);
      expect((await OutstandingToken.findAll()).map((row) => row.jti)).to.deep.equal(['poison']);
    });
  });
});
