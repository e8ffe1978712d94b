// Runs the app the README's five-minute guide builds (readme-examples.cjs wrote
// it, tsc built it into dist/): seeds it (`node dist/seed.js`), starts it
// (`node dist/app.js`), logs in, calls the protected route, refreshes. Usage:
// node guide-run.cjs DIR LABEL
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const [dir, label = 'guide'] = process.argv.slice(2);

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    JWT_SECRET: 'guide-secret-of-at-least-thirty-two-bytes-0123456789',
    DATABASE_URL: `sqlite:${path.join(dir, 'guide.sqlite3')}`,
  };
  const seeded = execFileSync(process.execPath, ['dist/seed.js'], { cwd: dir, env, encoding: 'utf8' });
  assert.match(seeded, /user alice/);
  const app = spawn(process.execPath, ['dist/app.js'], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => app.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`${base}/api/me/`);
        break;
      } catch (err) {
        if (i > 100 || app.exitCode !== null) throw new Error(`the guide's app did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const post = (p, body) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const login = await post('/api/token/', { username: 'alice', password: 'alice-password' });
    assert.equal(login.status, 200, 'login');
    const pair = await login.json();
    const me = await fetch(`${base}/api/me/`, { headers: { authorization: `Bearer ${pair.access}` } });
    assert.equal(me.status, 200, 'the protected route');
    const body = await me.json();
    assert.equal(body.username, 'alice');
    assert.equal(body.password, undefined);
    assert.equal((await fetch(`${base}/api/me/`)).status, 401);
    const orders = await fetch(`${base}/api/orders/`, { headers: { authorization: `Bearer ${pair.access}` } });
    assert.equal(orders.status, 200, 'passport.authenticate route');
    const refreshed = await post('/api/token/refresh/', { refresh: pair.refresh });
    assert.equal(refreshed.status, 200, 'refresh');
    const { access } = await refreshed.json();
    assert.equal((await fetch(`${base}/api/me/`, { headers: { authorization: `Bearer ${access}` } })).status, 200, 'the refreshed access token');
    console.log(`${label}: seeded, started, logged in, 200 on /api/me/, refreshed`);
  } finally {
    app.kill();
    await exited;
  }
}

main().catch((err) => {
  console.error(`pack-install: FAILED: the README's guide as an app (${label}):`, err);
  process.exit(1);
});
