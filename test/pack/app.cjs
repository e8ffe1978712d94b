// A plain CommonJS app on the installed tarball: passport@0.6.0 (the app's
// copy), a route guarded by jwtAuth(), rotation with the blacklist app on SQLite.
const assert = require('node:assert/strict');
const path = require('node:path');
const express = require('express');
const passport = require('passport');
const { Sequelize } = require('sequelize');
const { SimpleJWT, JWTStrategy, jwtAuth, tokenRouter, errorHandler } = require('passport-simplejwt');

async function main() {
  // One passport and one sequelize: the package resolves the app's own.
  const pkgDir = path.dirname(require.resolve('passport-simplejwt/package.json'));
  for (const peer of ['passport', 'sequelize']) {
    assert.equal(require.resolve(peer, { paths: [pkgDir] }), require.resolve(peer), `${peer} resolves to the app's copy`);
  }
  assert.equal(require('passport/package.json').version, '0.6.0');

  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const alice = { id: 1, username: 'alice', password: 'alice-password' };
  const users = {
    findById: async (id) => (id === '1' ? alice : null),
    authenticate: async ({ username, password }) => (username === alice.username && password === alice.password ? alice : null),
  };
  const sj = new SimpleJWT({
    signingKey: 'a-secret-of-at-least-thirty-two-bytes-for-hs256',
    users,
    sequelize,
    apps: { blacklist: true },
    rotateRefreshTokens: true,
    blacklistAfterRotation: true,
  });
  await sj.migrate();
  passport.use(new JWTStrategy(sj));

  const app = express();
  app.use('/api/token/', tokenRouter(sj));
  app.get('/api/me/', jwtAuth(), (req, res) => res.json({ id: req.user.id, username: req.user.username }));
  app.use(errorHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const post = (p, body) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  try {
    const obtained = await post('/api/token/', { username: 'alice', password: 'alice-password' });
    assert.equal(obtained.status, 200);
    const pair = await obtained.json();

    const me = await fetch(`${base}/api/me/`, { headers: { authorization: `Bearer ${pair.access}` } });
    assert.equal(me.status, 200, 'jwtAuth() on passport@0.6.0 lets the token through');
    assert.deepEqual(await me.json(), { id: 1, username: 'alice' });
    assert.equal((await fetch(`${base}/api/me/`)).status, 401);

    const rotated = await post('/api/token/refresh/', { refresh: pair.refresh });
    assert.equal(rotated.status, 200);
    const next = await rotated.json();
    assert.ok(next.refresh, 'rotation answers a new refresh token');
    const reused = await post('/api/token/refresh/', { refresh: pair.refresh });
    assert.equal(reused.status, 401, 'the used refresh token is blacklisted on SQLite');
    assert.equal((await reused.json()).detail, 'Token is blacklisted');

    assert.equal((await post('/api/token/blacklist/', { refresh: next.refresh })).status, 200);
    assert.equal((await post('/api/token/refresh/', { refresh: next.refresh })).status, 401, 'log out: the blacklisted token is refused');
    console.log('app on the tarball: 200 behind jwtAuth() with passport@0.6.0; rotation and blacklist on SQLite');
  } finally {
    server.close();
    await sequelize.close();
  }
}

main().catch((err) => {
  console.error('pack-install: FAILED: the app on the tarball:', err);
  process.exit(1);
});
