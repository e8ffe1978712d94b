// ESLint 9 flat config: `npm run lint` (in .ci/run after the type-check).
//
// typescript-eslint reads TypeScript through the `typescript` package's JS API, which
// TypeScript 7 (tsgo) does not have: package.json installs TypeScript 7 as
// `@typescript/native` (it owns `tsc`) and the TS 6 API package as `typescript`, the
// side-by-side setup of TypeScript 7's announcement. The rules are the non-type-aware
// `recommended` set: a type-aware run would build a second (TS 6) program of the whole
// project for every lint, and `npm run typecheck` (TS 7) already checks the types.
//
// The layers (ARCHITECTURE.md), as rules:
// - `import-x/no-restricted-paths`: lib/ never imports models/ or routes/ (the package
//   entries lib/index.ts and lib/cli.ts aside); inside lib/ each layer imports only the
//   ones below it: serializers/strategies -> services -> tokens -> backend -> settings/errors.
// - `import-x/no-cycle`: no import circle through value imports, and `layers/no-cycle`
//   (eslint/no-cycle.mjs): none through type imports either.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import noCycle from './eslint/no-cycle.mjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

// Layers inside lib/, top to bottom (globs only: import-x wants a zone's `from` all
// globs or none). The entries (lib/index.ts, lib/cli.ts) and the small helpers of no
// layer (lib/cookies.ts, lib/auth-header.ts, ...) are not listed.
const SERIALIZERS_STRATEGIES = ['lib/serializers/**', 'lib/strategies/**'];
const SERVICES = ['lib/services/**'];
const TOKENS = ['lib/tokens/**'];
const BACKEND = ['lib/@(backend|eddsa|jwks|signature-failures|verified-token-cache).ts'];
const SETTINGS_ERRORS = ['lib/@(settings|errors|logger|duration).ts', 'lib/settings/**'];
// The wiring: it builds the layers, so none below the serializers may reach back up to it.
const WIRING = ['lib/@(simplejwt).ts'];
// Every file of lib/ but the package entries (lib/sequelize.ts: passport-simplejwt/sequelize).
const LIB_BUT_ENTRIES = ['lib/!(index|extend|cli|sequelize).ts', 'lib/*/**'];

/** The zones of `import-x/no-restricted-paths`. */
function zones() {
  const layer = (name, target, from) => ({
    target,
    from,
    message: `${name} imports only the layers below it (routes -> serializers/strategies -> services -> tokens -> backend -> settings/errors; ARCHITECTURE.md).`,
  });
  return [
    {
      target: LIB_BUT_ENTRIES,
      from: ['models/**', 'routes/**'],
      message:
        'lib/ never imports models/ or routes/: storage is reached through lib/storage.ts, which models/ implements; only the package entries (lib/index.ts, lib/cli.ts) import them.',
    },
    {
      target: ['models/**'],
      from: ['routes/**', 'lib/@(index|extend|cli|sequelize).ts'],
      message: 'models/ implements lib/storage.ts: it imports neither routes/ nor the package entries.',
    },
    {
      target: ['routes/**'],
      from: ['models/**', 'lib/@(index|extend|cli|sequelize).ts'],
      message: 'routes/ (the views) reach storage through lib/, never models/ or the package entries.',
    },
    layer('lib/services/', SERVICES, SERIALIZERS_STRATEGIES),
    layer('lib/tokens/', TOKENS, [...SERIALIZERS_STRATEGIES, ...SERVICES, ...WIRING]),
    layer('The token backend', BACKEND, [...SERIALIZERS_STRATEGIES, ...SERVICES, ...TOKENS, ...WIRING]),
    layer('Settings and errors', SETTINGS_ERRORS, [...SERIALIZERS_STRATEGIES, ...SERVICES, ...TOKENS, ...BACKEND, ...WIRING]),
  ];
}

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'reports/', '.stryker-tmp*/', 'test-output/', 'coverage/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX, layers: { rules: { 'no-cycle': noCycle } } },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.cjs', '.mjs', '.json', '.node'] })],
    },
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.node },
    },
    rules: {
      // `_`-prefixed names are the house's way to mark a parameter as deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'import-x/no-cycle': 'error',
      'layers/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: ROOT, zones: zones() }],
    },
  },
  {
    // The tests: mocha's globals; chai's `expect(x).to.be.true` is an expression statement.
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The login page's script runs in the browser.
    files: ['examples/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
);
