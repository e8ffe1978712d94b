import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { DEMO_PASSWORD, DEMO_USERNAME } from '../../examples/app';

const DEMO = path.resolve(__dirname, '../../examples/demo.ts');
const TSX = require.resolve('tsx/cjs');

interface Demo {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a child process with exactly the given demo variables. */
function startDemo(env: Record<string, string>): Demo {
  const { PORT: _p, HOST: _h, JWT_SECRET: _s, DEMO_DB: _d, ...rest } = process.env;
  const child = spawn(process.execPath, ['-r', TSX, DEMO], { env: { ...rest, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the URL the demo announces, or rejects if it exits first. */
async function announcedUrl(demo: Demo): Promise<string> {
  for (;;) {
    const match = /demo on (http:\/\/\S+)/.exec(demo.stdout());
    if (match) return match[1];
    const done = await Promise.race([demo.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]);
    if (done) throw new Error(`the demo exited: ${demo.stderr()}`);
  }
}

describe('examples/demo.ts: its environment variables', function () {
  this.timeout(180_000); // each starts tsx and the demo: slow on a loaded machine
  let dir: string;
  const running: Demo[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sjwt-demo-env-'));
  });
  afterEach(async () => {
    for (const demo of running.splice(0)) {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
      await demo.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('PORT, HOST, DEMO_DB and JWT_SECRET: served there, stored there, signed with that secret; SIGTERM exits 0', async () => {
    const storage = path.join(dir, 'custom.sqlite3');
    const secret = 'demo-env-test-secret-0123456789abcdef';
    const demo = startDemo({ PORT: '0', HOST: 'localhost', DEMO_DB: storage, JWT_SECRET: secret });
    running.push(demo);
    const url = await announcedUrl(demo);
    expect(url).to.match(/^http:\/\/localhost:\d+$/);
    expect(url).not.to.equal('http://localhost:8000');
    expect(demo.stdout()).to.include(`(SQLite: ${storage})`);
    expect(existsSync(storage)).to.equal(true);
    expect(demo.stderr()).not.to.include('JWT_SECRET is not set');

    const res = await fetch(`${url}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: DEMO_USERNAME, password: DEMO_PASSWORD }),
    });
    expect(res.status).to.equal(200);
    const { access } = (await res.json()) as { access: string };
    expect(jwt.verify(access, secret, { algorithms: ['HS256'] })).to.include({ token_type: 'access' });

    demo.child.kill('SIGTERM');
    expect(await demo.exited).to.equal(0);
  });

  it('without JWT_SECRET: a random secret and a warning', async () => {
    const demo = startDemo({ PORT: '0', DEMO_DB: path.join(dir, 'demo.sqlite3') });
    running.push(demo);
    await announcedUrl(demo);
    expect(demo.stderr()).to.include('WARNING: JWT_SECRET is not set; using a random secret.');
  });

  it('a PORT that is not a port: exits 1 naming it', async () => {
    const demo = startDemo({ PORT: '70000', DEMO_DB: path.join(dir, 'demo.sqlite3'), JWT_SECRET: 'x'.repeat(32) });
    running.push(demo);
    expect(await demo.exited).to.equal(1);
    expect(demo.stderr()).to.include("PORT must be an integer 0-65535, got '70000'");
  });
});
