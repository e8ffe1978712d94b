#!/usr/bin/env bash
# The HTTP-level tests once more on the old majors the package supports:
# Express 4 (4.21+) and passport 0.6 (SPEC 1). A scratch copy of the sources
# and tests gets a node_modules of links to the repository's own, but for
# `express` and `passport`, which point at a separate install of express@^4.21
# and passport@0.6.0 (Node follows the links to their real place, so Express 4
# finds its own dependencies there). The repository's node_modules is never
# written. Run by .ci/run after npm test; about a minute.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
[ -n "${KEEP_EXPRESS4_WORK:-}" ] && echo "work dir kept: $WORK" || trap 'rm -rf "$WORK"' EXIT

# The tests of the HTTP contract: the views, the strategies, cookie mode, the error handler.
SPECS=(test/routes test/lib/strategies test/lib/http/cookie-mode.test.ts test/lib/http/error-handler.test.ts test/lib/user-store.test.ts test/examples/demo.test.ts)

echo "--> express@^4.21 and passport@0.6.0, in their own install"
mkdir "$WORK/old"
(cd "$WORK/old" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error --ignore-scripts 'express@^4.21' passport@0.6.0 >/dev/null)

echo "--> a scratch copy of the sources and tests, node_modules linked to the repository's"
COPY="$WORK/repo"
mkdir -p "$COPY/node_modules"
for item in lib routes models test examples package.json tsconfig.json .mocharc.json; do cp -r "$REPO/$item" "$COPY/"; done
for entry in "$REPO"/node_modules/* "$REPO"/node_modules/.bin; do
  name=$(basename "$entry")
  case "$name" in express | passport) ;; *) ln -s "$(readlink -f "$entry")" "$COPY/node_modules/$name" ;; esac
done
# Scoped packages (@types/..., @redis/...) are linked whole, as the rest.
for entry in "$REPO"/node_modules/@*; do ln -sfn "$(readlink -f "$entry")" "$COPY/node_modules/$(basename "$entry")"; done
ln -s "$WORK/old/node_modules/express" "$COPY/node_modules/express"
ln -s "$WORK/old/node_modules/passport" "$COPY/node_modules/passport"

cd "$COPY"
versions=$(node -p 'const r = (n) => require(require.resolve(n + "/package.json")).version; `express ${r("express")}, passport ${r("passport")}`')
echo "--> mocha on $versions: ${SPECS[*]}"
case "$versions" in "express 4."*", passport 0.6."*) ;; *) echo "express4: FAILED: the copy resolves $versions" >&2; exit 1 ;; esac
node_modules/.bin/mocha "${SPECS[@]}"
