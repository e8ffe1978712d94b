// Mutation testing: `npm run mutate` (slow, so not part of `npm test` or CI).
// Narrow a run to some files: npm run mutate -- --mutate 'lib/backend/**/*.ts,lib/tokens/**/*.ts'
// Results: reports/mutation/mutation.html; the summary is kept in test/MUTATION.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  // The mocha runner reads .mocharc.json, which loads tsx/cjs: the mutated TypeScript runs as is.
  mochaOptions: { config: '.mocharc.json', spec: ['test/**/*.test.ts'] },
  mutate: ['lib/**/*.ts', 'models/**/*.ts'],
  coverageAnalysis: 'perTest',
  // A mutant of a module-level constant would need the whole suite per mutant: skipped.
  ignoreStatic: true,
  // The machine is shared: one test process at a time.
  concurrency: 1,
  // Only mutants whose code or covering tests changed since the last run are tested again.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  timeoutMS: 10000,
  // The first, unmutated run of the whole suite takes minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // The sandbox keeps tsconfig.json as is: Stryker's rewriting needs TypeScript 5's API, which TypeScript 7 (tsgo) does not have.
  tsconfigFile: 'stryker-does-not-rewrite-tsconfig.json',
  cleanTempDir: 'always',
};
