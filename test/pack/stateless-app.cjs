// An app without sequelize (SPEC 1): the stateless strategy only. The package
// imports, loads no Sequelize module, and a protected route answers 200.
const assert = require('node:assert/strict');
const express = require('express');
const passport = require('passport');
const { SimpleJWT, JWTStatelessStrategy, jwtAuth, errorHandler } = require('passport-simplejwt');

async function main() {
  assert.throws(() => require.resolve('sequelize'), /Cannot find module/, 'this app has no sequelize');
  const sj = new SimpleJWT({ signingKey: 'a-secret-of-at-least-thirty-two-bytes-for-hs256' });
  passport.use(new JWTStatelessStrategy(sj));
  const app = express();
  app.get('/api/me/', jwtAuth('passport-simplejwt-stateless'), (req, res) => res.json({ id: req.user.id }));
  app.use(errorHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const token = String(await sj.AccessToken.forUser({ id: 42 }));
    const res = await fetch(`http://127.0.0.1:${server.address().port}/api/me/`, { headers: { authorization: `bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: '42' });
    console.log(`stateless app without sequelize: 200 (express ${require('express/package.json').version})`);
  } finally {
    server.close();
  }
}

main().catch((err) => {
  console.error('pack-install: FAILED: the stateless app without sequelize:', err);
  process.exit(1);
});
