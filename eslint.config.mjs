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
//   entries aside); inside lib/ each layer (LAYERS below) imports only the ones below it.
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

// Layers inside lib/, bottom to top (ARCHITECTURE.md; globs only: import-x wants a zone's
// `from` all globs or none). Every file of lib/ is in one of them or is a package entry
// (test/lint/layers.test.ts checks both, and plants an upward import in every file).
// `below`: the layers a layer may import; every other layer of lib/ is refused to it.
const LAYERS = {
  // The shapes the settings and the errors name: stored values, UserStore, BlacklistCache, claims.
  types: { files: ['lib/types/**'], below: [] },
  // The settings table, the error classes, the logger, durations.
  'settings and errors': { files: ['lib/@(errors|logger|duration).ts', 'lib/settings/**'], below: ['types'] },
  // The request-facing pieces: the header, cookies, cookie mode, CSRF, extractors, jwtAuth, errorHandler.
  'lib/http/': { files: ['lib/http/**'], below: ['types', 'settings and errors'] },
  // The storage interface, its deadlines, fail-closed, the blacklist caches.
  'lib/storage/': { files: ['lib/storage/**'], below: ['types', 'settings and errors'] },
  // Sign and verify: keys, EdDSA, JWKS.
  'lib/backend/': { files: ['lib/backend/**'], below: ['types', 'settings and errors'] },
  'lib/tokens/': { files: ['lib/tokens/**'], below: ['types', 'settings and errors', 'lib/backend/'] },
  'lib/services/': { files: ['lib/services/**'], below: ['types', 'settings and errors', 'lib/storage/', 'lib/backend/', 'lib/tokens/'] },
  // The wiring (SimpleJWT): it builds the layers below; the serializers and strategies receive it.
  'lib/simplejwt.ts': {
    files: ['lib/@(simplejwt).ts'],
    below: ['types', 'settings and errors', 'lib/storage/', 'lib/backend/', 'lib/tokens/', 'lib/services/'],
  },
  'lib/serializers/ and lib/strategies/': {
    files: ['lib/serializers/**', 'lib/strategies/**'],
    below: ['types', 'settings and errors', 'lib/http/', 'lib/storage/', 'lib/backend/', 'lib/tokens/', 'lib/services/', 'lib/simplejwt.ts'],
  },
};
// The package entries: '.', './extend' and the bin ('./sequelize' is models/index.ts). They import every layer; none imports them.
const ENTRIES = ['lib/@(index|extend|cli).ts'];

/** The zones of `import-x/no-restricted-paths`. */
function zones() {
  const order = 'types -> settings/errors -> http | storage | backend -> tokens -> services -> simplejwt.ts -> serializers/strategies -> entries';
  const layers = Object.entries(LAYERS).map(([name, { files, below }]) => ({
    target: files,
    from: [
      ...Object.entries(LAYERS)
        .filter(([other]) => other !== name && !below.includes(other))
        .flatMap(([, layer]) => layer.files),
      ...ENTRIES,
    ],
    message: `${name} imports only the layers below it: ${below.join(', ') || 'none'} (${order}; ARCHITECTURE.md).`,
  }));
  return [
    {
      // Every file of lib/ but the package entries.
      target: ['lib/!(index|extend|cli).ts', 'lib/*/**'],
      from: ['models/**', 'routes/**'],
      message:
        'lib/ never imports models/ or routes/: storage is reached through lib/storage/, which models/ implements; only the package entries lib/index.ts and lib/cli.ts import them (the Sequelize entry is models/index.ts).',
    },
    {
      target: ['models/**'],
      from: ['routes/**', ...ENTRIES],
      message: 'models/ implements lib/storage/: it imports neither routes/ nor the package entries.',
    },
    {
      target: ['routes/**'],
      from: ['models/**', ...ENTRIES],
      message: 'routes/ (the views) reach storage through lib/, never models/ or the package entries.',
    },
    ...layers,
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
