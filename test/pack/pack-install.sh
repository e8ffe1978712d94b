#!/usr/bin/env bash
# The published package as a user gets it: `npm pack`, then `npm install` of
# the tarball into a fresh app that already has express 5, passport@0.6.0,
# sequelize and sqlite3. Checks the tarball's contents, what the install adds
# (packages and size, against the README's budget), that no second copy of
# passport or sequelize is installed, that the app gets 200 from a route
# guarded by jwtAuth() and uses the blacklist app on SQLite, that the README's
# five-minute guide, built from its marked blocks alone, compiles, seeds,
# starts, logs in and refreshes (CommonJS and ES modules), the same on
# Express 4, and that an app without sequelize gets a 200 (stateless).
# Slow (it installs from the npm registry): run by .ci/run, not by npm test.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$REPO/test/pack"
WORK=$(mktemp -d)
[ -n "${KEEP_PACK_WORK:-}" ] && echo "work dir kept: $WORK" || trap 'rm -rf "$WORK"' EXIT
NPM_FLAGS=(--no-audit --no-fund --loglevel=error)

step() { printf '\n--> %s\n' "$*"; }
fail() { printf 'pack-install: FAILED: %s\n' "$*" >&2; exit 1; }

step "npm pack (prepack builds dist/)"
(cd "$REPO" && npm pack --pack-destination "$WORK" --loglevel=error) >/dev/null
TARBALL=$(ls "$WORK"/passport-simplejwt-*.tgz)
[ -x "$REPO/dist/lib/cli.js" ] || fail "the built bin dist/lib/cli.js is not executable after npm run build"

step "npm pack --dry-run: the tarball's contents"
(cd "$REPO" && npm pack --dry-run --json --ignore-scripts 2>/dev/null) > "$WORK/contents.json"
node "$HERE/check-contents.cjs" "$WORK/contents.json"

step "a fresh app with express 5, passport@0.6.0, sequelize 6 and sqlite3"
APP="$WORK/app"
mkdir "$APP"
cp "$HERE/app.cjs" "$APP/"
cd "$APP"
npm init -y >/dev/null
# sqlite3 is the repository's own build (linked): compiling it again would
# take minutes. Scripts off: nothing here needs one, and the link must not rebuild.
npm install "${NPM_FLAGS[@]}" --ignore-scripts express@5 passport@0.6.0 sequelize@6 "sqlite3@file:$REPO/node_modules/sqlite3"
node "$HERE/measure.cjs" node_modules > "$WORK/before.json"

step "npm install the tarball"
npm install "${NPM_FLAGS[@]}" --ignore-scripts "$TARBALL"
node "$HERE/measure.cjs" node_modules > "$WORK/after.json"
node "$HERE/check-install.cjs" "$WORK/before.json" "$WORK/after.json"

step "the app: jwtAuth() on passport@0.6.0, the blacklist app on SQLite"
node app.cjs

step "the README's five-minute guide, from its marked blocks alone: tsc (strict, no skipLibCheck), seed, start, log in, refresh"
npm install "${NPM_FLAGS[@]}" --ignore-scripts bcryptjs@3 @types/express@5 @types/passport@1 "@types/node@$(node -p 'process.versions.node.split(".")[0]')"
node "$HERE/readme-examples.cjs" "$REPO/README.md" "$APP/readme"
GUIDE="$APP/readme"
# TypeScript 7 is installed as @typescript/native (the package named typescript is the TS 6 API for typescript-eslint).
TSC=("$REPO/node_modules/@typescript/native/bin/tsc")
(cd "$GUIDE" && node "${TSC[@]}" -p tsconfig.json) || fail "a README example does not type-check (files kept in the output above)"
echo "README examples: $(ls "$GUIDE"/*.ts | wc -l) files type-check"
node "$HERE/guide-run.cjs" "$GUIDE" "the guide (CommonJS, express 5)"
# The ES module form: the README says only "type": "module" changes.
node -e 'const f=process.argv[1],p=require(f);p.type="module";require("node:fs").writeFileSync(f,JSON.stringify(p,null,2))' "$GUIDE/package.json"
rm -rf "$GUIDE/dist" "$GUIDE/guide.sqlite3"
(cd "$GUIDE" && node "${TSC[@]}" -p tsconfig.json) || fail "the README's guide does not build as ES modules"
node "$HERE/guide-run.cjs" "$GUIDE" "the guide (ES modules, express 5)"

step "Express 4 (4.21+ is a supported peer): the app and the guide again"
npm install "${NPM_FLAGS[@]}" --ignore-scripts express@^4.21
node app.cjs
rm -f "$GUIDE/guide.sqlite3"
node "$HERE/guide-run.cjs" "$GUIDE" "the guide (ES modules, express $(node -p 'require("express/package.json").version'))"

step "an app without sequelize (optional peer): the stateless strategy answers 200"
cp "$HERE/stateless-app.cjs" "$APP/"
npm uninstall "${NPM_FLAGS[@]}" --ignore-scripts sequelize sqlite3
node stateless-app.cjs
mkdir "$APP/stateless" && cp "$HERE/stateless-app.ts" "$APP/stateless/"
cat > "$APP/stateless/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "es2022", "module": "nodenext", "strict": true, "skipLibCheck": false, "noEmit": true, "types": ["node"] }, "include": ["*.ts"] }
JSON
(cd "$APP/stateless" && node "${TSC[@]}" -p tsconfig.json) || fail "the package's types need sequelize: a stateless TypeScript app without it does not compile"
echo "stateless TypeScript app without sequelize: type-checks (no skipLibCheck)"
npm install "${NPM_FLAGS[@]}" --ignore-scripts express@5
node stateless-app.cjs

printf '\npack-install: all checks passed\n'
