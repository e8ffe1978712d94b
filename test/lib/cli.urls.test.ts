import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Sequelize } from 'sequelize';
import { useTestDatabase } from '../helpers/database';

const CLI = resolve(__dirname, '../../lib/cli.ts');
const TSX = require.resolve('tsx/cjs');

/** The CLI as a child process started in `cwd` (relative SQLite paths are read from there). */
function runIn(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return new Promise((done) => {
    execFile(process.execPath, ['-r', TSX, CLI, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('passport-simplejwt CLI: database URL forms', function () {
  this.timeout(60_000);
  const openDatabase = useTestDatabase();
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sjwt-cli-urls-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a relative sqlite:// path is a file under the working directory', async () => {
    mkdirSync(join(dir, 'data'));
    const migrate = await runIn(dir, ['migrate', '--database', 'sqlite://data/app.sqlite3']);
    expect(migrate.code, migrate.stderr).to.equal(0);
    expect(migrate.stdout).to.match(/Applied 4 migrations\.\n$/);
    expect(existsSync(join(dir, 'data/app.sqlite3'))).to.equal(true);
    const sequelize = new Sequelize({ dialect: 'sqlite', storage: join(dir, 'data/app.sqlite3'), logging: false });
    try {
      expect(await sequelize.getQueryInterface().tableExists('token_blacklist_outstandingtoken')).to.equal(true);
    } finally {
      await sequelize.close();
    }
    // The commands that need an existing file find it by the same relative path, and only there.
    const flush = await runIn(dir, ['flushexpiredtokens', '--database', 'sqlite://data/app.sqlite3']);
    expect(flush.code, flush.stderr).to.equal(0);
    expect(flush.stdout).to.equal('Deleted 0 expired outstanding tokens.\n');
    const elsewhere = await runIn(join(dir, 'data'), ['flushexpiredtokens', '--database', 'sqlite://data/app.sqlite3']);
    expect(elsewhere.code).to.equal(1);
    expect(elsewhere.stderr).to.include("SQLite database file 'data/app.sqlite3' does not exist");
  });

  it('mariadb:// is accepted as MySQL: an unreachable server is a connection error (exit 1), not a usage error', async () => {
    const run = await runIn(dir, ['flushexpiredtokens', '--database', 'mariadb://root@127.0.0.1:1/none']);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/cannot connect to the database/);
    expect(run.stderr).not.to.match(/unsupported database/);
  });

  it('mariadb:// on the MySQL/MariaDB test database: migrate and flush work', async function () {
    const db = await openDatabase({ migrate: false });
    if (db.dialect !== 'mysql') this.skip();
    const url = db.url.replace(/^(mysql|mariadb):/i, 'mariadb:');
    const migrate = await runIn(dir, ['migrate', '--database', url]);
    expect(migrate.code, migrate.stderr).to.equal(0);
    expect(migrate.stdout).to.match(/Applied 4 migrations\.\n$/);
    expect(await db.sequelize.getQueryInterface().tableExists('token_family_tokenfamily')).to.equal(true);
    const flush = await runIn(dir, ['flushexpiredfamilies', '--database', url]);
    expect(flush.code, flush.stderr).to.equal(0);
    expect(flush.stdout).to.equal('Deleted 0 expired token families.\n');
  });
});
