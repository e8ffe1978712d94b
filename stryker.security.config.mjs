// A narrow mutation run: one part of the code against the tests of that part only (minutes, not hours).
//   MUTATE='lib/tokens/token.ts' SPEC='test/lib/tokens/*.test.ts,test/routes/token-refresh.test.ts' \
//     npx stryker run stryker.security.config.mjs
// MUTATE and SPEC are comma-separated globs (MUTATE takes line ranges: 'lib/tokens/token.ts:139-262').
// The result is a lower bound for the part: the whole suite can only kill more.
// Its own incremental file, so that a narrow run never overwrites the full run's.
// STATIC=run also runs the static mutants (module-level code; each one against the whole spec set in a fresh
// process), which the base config ignores: for a part whose constants are its logic, such as SQL text.
import base from './stryker.config.mjs';

const list = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (comma-separated globs)`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
};

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: list('MUTATE'),
  ignoreStatic: process.env.STATIC === 'run' ? false : base.ignoreStatic,
  mochaOptions: { ...base.mochaOptions, spec: list('SPEC') },
  incrementalFile: `reports/stryker-incremental.${process.env.REPORT ?? 'security'}.json`,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${process.env.REPORT ?? 'security'}.json` },
  tempDirName: `.stryker-tmp-${process.env.REPORT ?? 'security'}`,
};
