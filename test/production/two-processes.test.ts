/**
 * SPEC 5 across processes: two Node processes serve the refresh endpoint on
 * one PostgreSQL (or MariaDB) database with one signing key; concurrent
 * refreshes of the same token sent to both have exactly one winner. Runs
 * only with TEST_DATABASE_URL on a server database: SQLite is one file on
 * one host (see docs/production.md), the test is skipped there.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Sequelize } from 'sequelize';
import { SimpleJWT } from '../../lib';
import { useTestDatabase, testDatabaseUrl } from '../helpers/database';
import { SECRET, memoryUsers, type TestUser } from '../helpers/fixtures';
import { clientFor, concurrencyRounds, type JsonResponse, type TestServer } from '../helpers/server';
import { pairFor } from '../helpers/app';

const SERVER = join(__dirname, 'fixtures', 'refresh-server.ts');
const PATH = '/api/token/refresh/';
const PER_PROCESS = 25;
const START_TIMEOUT_MS = 20_000;

interface AppProcess {
  child: ChildProcess;
  client: TestServer;
}

/** Starts one app process and waits for its `LISTENING <url>` line. */
function startApp(env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app process did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`app process exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^LISTENING (\S+)$/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, client: clientFor(match[1]) });
    });
  });
}

function stopApp(app: AppProcess): Promise<void> {
  return new Promise((resolve) => {
    if (app.child.exitCode !== null) return resolve();
    app.child.once('exit', () => resolve());
    app.child.kill('SIGTERM');
  });
}

describe('two app processes on one database', function () {
  this.timeout(180_000);
  const openDatabase = useTestDatabase();
  const url = testDatabaseUrl();
  let apps: AppProcess[] = [];

  before(function () {
    if (url === undefined) {
      console.log('      (skipped: needs TEST_DATABASE_URL on PostgreSQL or MariaDB; SQLite is a single-host database)');
      this.skip();
    }
  });

  afterEach(async () => {
    await Promise.all(apps.map(stopApp));
    apps = [];
  });

  /** The test's own instance on the same database, to mint tokens the processes will refresh (real clock: the processes run on it). */
  function minter(sequelize: Sequelize): SimpleJWT<TestUser> {
    return new SimpleJWT<TestUser>({
      signingKey: SECRET,
      users: memoryUsers(),
      sequelize,
      apps: { blacklist: true, tokenFamily: true },
      tokenFamilyEnabled: true,
    });
  }

  /** 25 refreshes of `refresh` to each process, all at once. */
  async function raceBoth(refresh: string): Promise<JsonResponse[]> {
    return Promise.all(apps.flatMap((app) => Array.from({ length: PER_PROCESS }, () => app.client.post(PATH, { refresh }))));
  }

  const rounds = concurrencyRounds();
  it(`${rounds} tokens, 25 refreshes of each to each process at once: exactly one winner per token`, async () => {
    const db = await openDatabase();
    apps = await Promise.all([startApp({ DATABASE_URL: url! }), startApp({ DATABASE_URL: url! })]);
    const sj = minter(db.sequelize);
    const winsPerProcess = [0, 0];
    for (let round = 1; round <= rounds; round += 1) {
      const { refresh } = await pairFor(sj);
      const answers = await raceBoth(refresh);
      const winners = answers.filter((a) => a.status === 200);
      expect(winners, `token ${round}: winners`).to.have.length(1);
      winsPerProcess[answers.findIndex((a) => a.status === 200) < PER_PROCESS ? 0 : 1] += 1;
      for (const a of answers.filter((x) => x.status !== 200)) {
        expect(a, `token ${round}`).to.deep.include({ status: 401, body: { detail: 'Token is blacklisted', code: 'token_not_valid' } });
      }
    }
    console.log(`      (wins per process: ${winsPerProcess.join(' / ')})`);
  });

  it('with refreshTokenReuseInterval in both: 50 answers across the two processes carry one successor', async () => {
    const db = await openDatabase();
    apps = await Promise.all([startApp({ DATABASE_URL: url!, REUSE_INTERVAL: '30' }), startApp({ DATABASE_URL: url!, REUSE_INTERVAL: '30' })]);
    const sj = minter(db.sequelize);
    for (let round = 1; round <= Math.min(rounds, 5); round += 1) {
      const { refresh } = await pairFor(sj);
      const answers = await raceBoth(refresh);
      for (const a of answers) expect(a.status, JSON.stringify(a.body)).to.equal(200);
      expect(new Set(answers.map((a) => a.body.refresh))).to.have.property('size', 1);
    }
  });
});
