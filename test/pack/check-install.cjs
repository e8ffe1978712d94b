// What `npm install passport-simplejwt` added to an app that already had
// express, passport, sequelize and sqlite3: within the README's budget, and no
// second copy of what the app owns (peer dependencies).
const fs = require('node:fs');

// The budget is issue #22's target: 45 packages and 8 MB. umzug (the migrations)
// brings 33 of them, most of them the command-line parser of its own CLI
// (@rushstack/ts-command-line), which this package never runs; rate-limiter-flexible
// and async-sema (loginThrottle and the login bound) are one each; cookie is the app's
// express's own copy. Signing and verifying are on node:crypto: jsonwebtoken and its
// 12 dependencies are no longer installed (issue #22: 50 packages, 6.9 MB before).
const MAX_PACKAGES = 45;
const MAX_MB = 8;
const before = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const after = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const added = after.paths.filter((p) => !before.paths.includes(p));
const mb = (after.bytes - before.bytes) / 1024 / 1024;
console.log(`npm install of the tarball added ${added.length} packages, ${mb.toFixed(1)} MB:`);
console.log(`  ${added.join(' ')}`);

const failures = [];
if (added.length > MAX_PACKAGES) failures.push(`${added.length} packages added, budget ${MAX_PACKAGES}`);
if (mb > MAX_MB) failures.push(`${mb.toFixed(1)} MB added, budget ${MAX_MB} MB`);
for (const owned of ['passport', 'passport-strategy', 'sequelize', 'express', 'sqlite3', 'pg', 'mysql2', 'redis']) {
  const copies = after.paths.filter((p) => p === owned || p.endsWith(`/node_modules/${owned}`));
  if (copies.length !== (before.paths.some((p) => p === owned) ? 1 : 0))
    failures.push(`${owned}: ${copies.length} copies (${copies.join(', ')}): it must be the app's own`);
}
if (failures.length > 0) {
  console.error(`pack-install: FAILED: ${failures.join('; ')}`);
  process.exit(1);
}
