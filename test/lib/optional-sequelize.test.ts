import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** Runs `code` in a fresh Node process with tsx (CommonJS, as the build), from the repository's root; resolves to its stdout. */
async function node(code: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--require', 'tsx/cjs', '-e', code], { cwd: ROOT, timeout: 30_000 });
  return stdout.trim();
}

// Makes `require('sequelize')` (and anything under it) fail as it does in an app that never installed it.
const WITHOUT_SEQUELIZE = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'sequelize' || request.startsWith('sequelize/')) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`;

const SEQUELIZE_MODULES = `Object.keys(require.cache).filter((p) => p.includes('/node_modules/sequelize/')).length`;

describe('sequelize is an optional peer (SPEC 1)', () => {
  it('importing the package loads no Sequelize module', async () => {
    const out = await node(`require('./lib'); console.log(${SEQUELIZE_MODULES});`);
    expect(Number(out)).to.equal(0);
  });

  it('without sequelize installed: the package imports, and a stateless app answers 200 on a protected route', async () => {
    const out = await node(`${WITHOUT_SEQUELIZE}
const express = require('express');
const { Passport } = require('passport');
const { SimpleJWT, JWTStatelessStrategy, jwtAuth, errorHandler } = require('./lib');
(async () => {
  const sj = new SimpleJWT({ signingKey: 'x'.repeat(48) });
  const passport = new Passport();
  passport.use(new JWTStatelessStrategy(sj));
  const app = express();
  app.get('/me', jwtAuth('passport-simplejwt-stateless', { passport }), (req, res) => res.json({ id: req.user.id }));
  app.use(errorHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const token = String(await sj.AccessToken.forUser({ id: 7 }));
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/me', { headers: { authorization: 'Bearer ' + token } });
  console.log(res.status, JSON.stringify(await res.json()));
  server.close();
})().catch((e) => { console.error(e); process.exit(1); });`);
    expect(out).to.equal('200 {"id":"7"}');
  });

  it('the Sequelize storage loads when the sequelize setting is given (and migrate() runs on it)', async () => {
    const out = await node(`
const { Sequelize } = require('sequelize');
const { SimpleJWT } = require('./lib');
(async () => {
  const before = ${SEQUELIZE_MODULES};
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const sj = new SimpleJWT({ signingKey: 'x'.repeat(48), sequelize, apps: { blacklist: true } });
  const ran = await sj.migrate();
  const loaded = Object.keys(require.cache).some((p) => p.endsWith(require('node:path').join('models', 'sequelize-apps.ts')));
  console.log(before > 0, loaded, ran.length > 0);
  await sequelize.close();
})().catch((e) => { console.error(e); process.exit(1); });`);
    expect(out).to.equal('true true true');
  });

  it("the storage comes with the instance, not with an import: the entry's SimpleJWT migrates and blacklists, and the core class beside it is given no storage", async () => {
    const out = await node(`
const { Sequelize } = require('sequelize');
const { SimpleJWT } = require('./lib');
const { SimpleJWT: Core } = require('./lib/simplejwt');
(async () => {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  const sj = new SimpleJWT({ signingKey: 'x'.repeat(48), sequelize, apps: { blacklist: true } });
  await sj.migrate();
  const refresh = await sj.RefreshToken.forUser({ id: 7 });
  await refresh.blacklist();
  const core = new Core({ signingKey: 'x'.repeat(48), sequelize, apps: { blacklist: true } });
  const refused = await core.migrate().then(() => 'resolved', (e) => e.message);
  console.log(await sj.revocation.isBlacklisted(String(refresh.payload.jti)), sj instanceof Core, refused);
  await sequelize.close();
})().catch((e) => { console.error(e); process.exit(1); });`);
    expect(out).to.equal(
      "true true passport-simplejwt: no storage for the 'sequelize' setting; construct SimpleJWT from the package entry ('passport-simplejwt')",
    );
  });

  it('an instance without the sequelize setting loads no storage, and migrate() says what it needs', async () => {
    const out = await node(`
const { SimpleJWT } = require('./lib');
(async () => {
  const sj = new SimpleJWT({ signingKey: 'x'.repeat(48) });
  const models = Object.keys(require.cache).filter((p) => p.includes(require('node:path').join('passport-simplejwt', 'models')) || p.includes('/models/')).length;
  const refused = await sj.migrate().then(() => 'resolved', (e) => e.message);
  console.log(models, refused);
})().catch((e) => { console.error(e); process.exit(1); });`);
    expect(out).to.equal("0 passport-simplejwt: migrate() needs the 'sequelize' setting");
  });
});
