#!/usr/bin/env bash
# The published package as a user gets it: `npm pack`, then `npm install` of
# the tarball into a fresh app that already has express 5, passport@0.6.0,
# sequelize and sqlite3. Checks the tarball's contents, what the install adds
# (packages and size, against the README's budget), that no second copy of
# passport or sequelize is installed, that the app gets 200 from a route
# guarded by jwtAuth() and uses the blacklist app on SQLite, and that the
# README's complete TypeScript examples type-check against the built package.
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

step "the README's complete TypeScript examples type-check against the package"
npm install "${NPM_FLAGS[@]}" --ignore-scripts bcryptjs@3 @types/express@5 @types/passport@1 "@types/node@$(node -p 'process.versions.node.split(".")[0]')"
node "$HERE/readme-examples.cjs" "$REPO/README.md" "$APP/readme"
# TypeScript 7 is installed as @typescript/native (the package named typescript is the TS 6 API for typescript-eslint).
(cd "$APP/readme" && node "$REPO/node_modules/@typescript/native/bin/tsc" -p tsconfig.json) || fail "a README example does not type-check (files kept in the output above)"
echo "README examples: $(ls "$APP/readme"/*.ts | wc -l) files type-check"

printf '\npack-install: all checks passed\n'
