// The overall mutation score (issue #26): the parts that cover every source file
// of lib/, models/ and routes/, and the aggregate of their Stryker reports.
//
//   node test/mutation-aggregate.mjs             per file, per part, security subtotal, overall
//   node test/mutation-aggregate.mjs --commands  the command that runs each part (one at a time)
//   node test/mutation-aggregate.mjs --parts     the parts: the files each one mutates and its specs
// (the run time column is read from reports/logs/<part>.log: the commands send Stryker's output there)
//
// Each part is run with stryker.security.config.mjs (REPORT=<part name>), which
// writes reports/mutation/<part>.json. Every reports/mutation/*.json is read;
// where several reports hold the same mutant (file + location + mutator +
// replacement), it counts as killed if any of them killed it.
// Score = (killed + timeout) / (killed + timeout + survived + no coverage).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

// name, security-relevant, files mutated (MUTATE), specs (SPEC). Listed in run order.
// The slow suites (test/production, test/interop, browser tests) are in no part.
export const PARTS = [
  {
    name: 'backend',
    security: true,
    mutate: ['lib/backend/*.ts'],
    spec: [
      'test/lib/backend/*.test.ts',
      'test/lib/tokens/*.test.ts',
      'test/lib/clock.test.ts',
      'test/lib/settings.test.ts',
      'test/lib/settings.schema.test.ts',
      'test/lib/strategies/*.test.ts',
      'test/routes/key-rotation.test.ts',
      'test/routes/jwks-router.test.ts',
      'test/routes/token-encoding.test.ts',
      'test/routes/hostile-claims.test.ts',
    ],
  },
  {
    name: 'tokens',
    security: true,
    mutate: ['lib/tokens/*.ts'],
    spec: [
      'test/lib/tokens/*.test.ts',
      'test/lib/services/*.test.ts',
      'test/lib/strategies/*.test.ts',
      'test/lib/backend/claims.test.ts',
      'test/models/*.test.ts',
      'test/routes/token-*.test.ts',
      'test/routes/refresh.*.test.ts',
      'test/routes/hostile-claims.test.ts',
    ],
  },
  {
    name: 'strategies',
    security: true,
    mutate: ['lib/strategies/*.ts'],
    spec: [
      'test/lib/strategies/*.test.ts',
      'test/lib/http/*.test.ts',
      'test/lib/user-store.test.ts',
      'test/lib/tokens/access-token.test.ts',
      'test/routes/hostile-claims.test.ts',
      'test/routes/csrf.test.ts',
      'test/routes/unexpected-errors.test.ts',
      'test/routes/revocation-hook.test.ts',
    ],
  },
  {
    name: 'serializers',
    security: true,
    mutate: ['lib/serializers/*.ts'],
    spec: [
      'test/lib/serializers/*.test.ts',
      'test/lib/services/token-validation*.test.ts',
      'test/routes/token-*.test.ts',
      'test/routes/refresh.*.test.ts',
      'test/routes/serializer-settings.test.ts',
      'test/routes/sessions.test.ts',
      'test/routes/cookie-mode.test.ts',
    ],
  },
  {
    name: 'services',
    security: true,
    mutate: [
      'lib/services/revocation.ts',
      'lib/services/sessions.ts',
      'lib/services/stored-token.ts',
      'lib/services/token-validation.ts',
      'lib/services/user-policy.ts',
    ],
    spec: [
      'test/lib/services/*.test.ts',
      'test/lib/strategies/*.test.ts',
      'test/lib/tokens/*.test.ts',
      'test/lib/storage/*.test.ts',
      'test/lib/user-store.test.ts',
      'test/lib/settings.sessions.test.ts',
      'test/routes/sessions.test.ts',
      'test/routes/revocation-hook.test.ts',
      'test/routes/token-*.test.ts',
      'test/routes/refresh.*.test.ts',
      'test/routes/service-unavailable.test.ts',
      // The tests of revocation.blacklistAllForUser() and of storedTokenString() (outstandingTokenStorage: 'hash').
      'test/models/blacklist-all-for-user.test.ts',
      'test/models/outstanding-hash.test.ts',
    ],
  },
  {
    name: 'login-throttle',
    security: true,
    mutate: ['lib/services/login-throttle.ts', 'lib/settings/login-throttle.ts', 'models/login-counters.ts'],
    spec: ['test/lib/services/login-throttle.test.ts', 'test/routes/login-throttle.test.ts', 'test/lib/settings.login-throttle.test.ts'],
  },
  {
    name: 'csrf-cookie-mode',
    security: true,
    mutate: ['lib/http/csrf.ts', 'lib/http/cookie-mode.ts', 'lib/http/cookies.ts', 'routes/cookie-view.ts'],
    spec: ['test/lib/http/cookie-mode.test.ts', 'test/lib/http/cookies.test.ts', 'test/routes/cookie-mode.test.ts', 'test/routes/csrf.test.ts'],
  },
  {
    name: 'write-path',
    security: true,
    mutate: ['models/rotation-batch.ts', 'models/group-commit.ts', 'models/write-transaction.ts', 'models/token-state.ts', 'models/token-rotation.ts'],
    spec: [
      'test/models/*.test.ts',
      'test/routes/refresh.*.test.ts',
      'test/routes/token-refresh.test.ts',
      'test/routes/service-unavailable.test.ts',
      'test/routes/token-blacklist.test.ts',
      'test/routes/token-family-blacklist.test.ts',
      'test/routes/sessions.test.ts',
      'test/lib/services/revocation.test.ts',
      'test/lib/services/stored-token.test.ts',
    ],
  },
  {
    name: 'http',
    security: false,
    mutate: ['lib/http/auth-header.ts', 'lib/http/direct-auth.ts', 'lib/http/error-handler.ts', 'lib/http/extract-jwt.ts', 'lib/http/jwt-auth.ts'],
    spec: [
      'test/lib/http/*.test.ts',
      'test/lib/strategies/strategy-extractors.test.ts',
      'test/lib/strategies/strategy-requests.test.ts',
      'test/routes/http-contract.test.ts',
    ],
  },
  {
    name: 'storage',
    security: false,
    mutate: ['lib/storage/*.ts'],
    spec: [
      'test/lib/storage/*.test.ts',
      'test/routes/service-unavailable.test.ts',
      // Widened (issue #26): the outage and missing-table answers, the deadline and the caches through the instance.
      'test/routes/request-deadline.test.ts',
      'test/routes/unexpected-errors.test.ts',
      'test/lib/defaults.test.ts',
      'test/models/cache.test.ts',
      'test/lib/strategies/strategy-storage-outage.test.ts',
      'test/lib/serializers/token-family-blacklist.storage-outage.test.ts',
      'test/lib/http/error-handler.test.ts',
    ],
  },
  {
    name: 'settings',
    security: false,
    mutate: [
      'lib/settings/index.ts',
      'lib/settings/keys.ts',
      'lib/settings/options.ts',
      'lib/settings/parse.ts',
      'lib/settings/schema.ts',
      'lib/settings/suggest.ts',
      'lib/duration.ts',
    ],
    spec: [
      'test/lib/settings.test.ts',
      'test/lib/settings.*.test.ts',
      'test/lib/defaults.test.ts',
      'test/lib/duration.test.ts',
      // Widened (issue #26): the key settings (keys.ts) are checked when the token backend is built.
      'test/lib/backend/*.test.ts',
      'test/routes/key-rotation.test.ts',
      'test/routes/jwks-router.test.ts',
    ],
  },
  {
    name: 'core',
    security: false,
    mutate: ['lib/simplejwt.ts', 'lib/index.ts', 'lib/extend.ts', 'lib/errors.ts', 'lib/logger.ts', 'lib/types/*.ts'],
    spec: [
      'test/lib/user-store.test.ts',
      'test/lib/optional-sequelize.test.ts',
      'test/lib/defaults.test.ts',
      'test/routes/token-obtain-pair.test.ts',
      'test/routes/token-blacklist.test.ts',
      'test/routes/service-unavailable.test.ts',
      'test/routes/unexpected-errors.test.ts',
      // Widened (issue #26): the tests of setKeys(), bind(), useApps(), migrate(), beginLogin(), the
      // construction refusals, the error classes' bodies, the logger's cause chain, prepareKey() with jwkUrl.
      'test/routes/key-rotation.test.ts',
      'test/routes/http-contract.test.ts',
      'test/routes/csrf.test.ts',
      'test/lib/tokens/*.test.ts',
      'test/lib/settings.test.ts',
      'test/lib/settings.schema.test.ts',
      'test/lib/http/error-handler.test.ts',
      'test/lib/services/binder.test.ts',
      'test/lib/services/revocation.test.ts',
      'test/lib/services/token-validation.is-revoked.test.ts',
      'test/lib/services/login-throttle.test.ts',
      'test/models/migrate.test.ts',
      'test/lib/backend/jwks.test.ts',
    ],
  },
  {
    name: 'cli',
    security: false,
    mutate: ['lib/cli.ts'],
    spec: ['test/lib/cli*.test.ts'],
  },
  {
    name: 'models',
    security: false,
    mutate: [
      'models/blacklisted-token-family.ts',
      'models/blacklisted-token.ts',
      'models/define-models.ts',
      'models/driver-query.ts',
      'models/flush.ts',
      'models/index.ts',
      'models/insert-or-get.ts',
      'models/migrate.ts',
      'models/migrations/*.ts',
      'models/outstanding-token.ts',
      'models/row-values.ts',
      'models/sequelize-apps.ts',
      'models/sequelize-user-store.ts',
      'models/sessions.ts',
      'models/sql-dialect.ts',
      'models/sql.ts',
      'models/timeouts.ts',
      'models/timestamp.ts',
      'models/token-family.ts',
      'models/user-id.ts',
    ],
    // Widened (issue #26): the service tests that drive sequelizeApps() directly. The routes' tests
    // (token-*, refresh.*) cover the same code too, but made the run take hours on the shared machine.
    // Even this set takes over an hour in one run: it is run in four slices (REPORT=models-<slice>,
    // each file against the tests of its own; commands in test/MUTATION.md, "Re-run of the models part").
    spec: [
      'test/models/*.test.ts',
      'test/lib/user-store.test.ts',
      'test/routes/sessions.test.ts',
      'test/lib/services/revocation.test.ts',
      'test/lib/services/token-validation.is-revoked.test.ts',
    ],
  },
  {
    name: 'routes',
    security: false,
    mutate: ['routes/body.ts', 'routes/http-errors.ts', 'routes/jwks.ts', 'routes/sessions.ts', 'routes/token-router.ts', 'routes/view.ts', 'routes/views.ts'],
    spec: [
      'test/routes/token-*.test.ts',
      'test/routes/jwks-router.test.ts',
      'test/routes/sessions.test.ts',
      'test/routes/bad-input.fuzz.test.ts',
      'test/routes/serializer-settings.test.ts',
      'test/routes/http-contract.test.ts',
      // Widened (issue #26): every route test but signed-claims.fuzz (claims, not routes), and the routers' options.
      'test/routes/views.test.ts',
      'test/routes/router-options.test.ts',
      'test/routes/cookie-mode.test.ts',
      'test/routes/csrf.test.ts',
      'test/routes/request-deadline.test.ts',
      'test/routes/unexpected-errors.test.ts',
      'test/routes/service-unavailable.test.ts',
      'test/routes/revocation-hook.test.ts',
      'test/routes/key-rotation.test.ts',
      'test/routes/refresh.*.test.ts',
      'test/routes/login-throttle.test.ts',
      'test/routes/hostile-claims.test.ts',
    ],
  },
];

// A glob of this file's kind ('*' within a name, '**' across folders) as a RegExp.
const globToRegExp = (glob) =>
  new RegExp(
    '^' +
      glob
        .split('**/')
        .map((s) =>
          s
            .split('*')
            .map((t) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
        )
        .join('(?:.*/)?') +
      '$',
  );

const sourceFiles = () =>
  ['lib', 'models', 'routes']
    .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true }).map((f) => `${dir}/${f}`))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();

const partOf = (file) => PARTS.find((p) => p.mutate.some((g) => globToRegExp(g).test(file)));

const COUNTED = ['Killed', 'Timeout', 'Survived', 'NoCoverage'];
// The best outcome wins when several runs tested the same mutant.
const RANK = { Killed: 5, Timeout: 4, Survived: 3, NoCoverage: 2, RuntimeError: 1, CompileError: 1, Ignored: 0 };

const readReports = () => {
  const dir = path.join(root, 'reports/mutation');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: f.replace(/\.json$/, ''), report: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }));
};

const key = (m) =>
  `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement ?? ''}`;

const emptyCounts = () => ({ mutants: 0, Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 });
const add = (into, from) => {
  for (const k of Object.keys(into)) into[k] += from[k];
};
const score = (c) => {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? '-' : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(1)} %`;
};
const row = (cells) => `| ${cells.join(' | ')} |`;

function aggregate() {
  const reports = readReports();
  // file -> mutant key -> best status; file -> reports that mutated it
  const mutants = new Map();
  const seenIn = new Map();
  const runTime = new Map();
  for (const { name, report } of reports) {
    // The JSON report has no duration: the run's log, when it was kept as reports/logs/<part>.log.
    const log = path.join(root, 'reports/logs', `${name}.log`);
    const done = existsSync(log) ? /Done in ([^.\n]+)\./.exec(readFileSync(log, 'utf8')) : null;
    if (done) runTime.set(name, done[1].replace(/ minutes? and /, ' min ').replace(/ seconds?/, ' s'));
    for (const [file, { mutants: list }] of Object.entries(report.files ?? {})) {
      if (!seenIn.has(file)) seenIn.set(file, new Set());
      seenIn.get(file).add(name);
      if (!mutants.has(file)) mutants.set(file, new Map());
      const byKey = mutants.get(file);
      for (const m of list) {
        const k = key(m);
        const prev = byKey.get(k);
        if (!prev || RANK[m.status] > RANK[prev]) byKey.set(k, m.status);
      }
    }
  }

  const perFile = new Map();
  for (const [file, byKey] of mutants) {
    const c = emptyCounts();
    for (const status of byKey.values()) {
      if (status === 'Ignored') continue;
      c.mutants++;
      if (COUNTED.includes(status)) c[status]++;
      else c.other++;
    }
    perFile.set(file, c);
  }

  const files = sourceFiles();
  // A file missing from its part's report has no mutant: types only, or only static code (ignoreStatic).
  const partRan = (part) => reports.some(({ name }) => name === part.name || name.startsWith(`${part.name}-`));
  const noMutants = files.filter((f) => !seenIn.has(f) && partOf(f) && partRan(partOf(f)));
  const notRun = files.filter((f) => !seenIn.has(f) && !noMutants.includes(f));
  const unassigned = files.filter((f) => !partOf(f));

  console.log('## Per file\n');
  console.log(row(['file', 'part', 'mutants', 'killed', 'timeout', 'survived', 'no coverage', 'errors', 'score', 'reports']));
  console.log(row(Array(10).fill('---')));
  for (const f of files) {
    if (!seenIn.has(f)) continue;
    const c = perFile.get(f);
    console.log(row([f, partOf(f)?.name ?? '?', c.mutants, c.Killed, c.Timeout, c.Survived, c.NoCoverage, c.other, score(c), [...seenIn.get(f)].join(', ')]));
  }

  const total = emptyCounts();
  const security = emptyCounts();
  console.log('\n## Per part\n');
  console.log(row(['part', 'security', 'files', 'mutants', 'killed', 'timeout', 'survived', 'no coverage', 'errors', 'score', 'run time']));
  console.log(row(Array(11).fill('---')));
  for (const p of PARTS) {
    const pf = files.filter((f) => partOf(f) === p);
    const ran = pf.filter((f) => seenIn.has(f));
    const c = emptyCounts();
    for (const f of ran) add(c, perFile.get(f));
    add(total, c);
    if (p.security) add(security, c);
    const time = runTime.get(p.name) ?? '';
    console.log(
      row([p.name, p.security ? 'yes' : '', `${ran.length}/${pf.length}`, c.mutants, c.Killed, c.Timeout, c.Survived, c.NoCoverage, c.other, score(c), time]),
    );
  }
  console.log(
    row([
      '**security-relevant**',
      '',
      '',
      security.mutants,
      security.Killed,
      security.Timeout,
      security.Survived,
      security.NoCoverage,
      security.other,
      `**${score(security)}**`,
      '',
    ]),
  );
  console.log(
    row(['**overall**', '', '', total.mutants, total.Killed, total.Timeout, total.Survived, total.NoCoverage, total.other, `**${score(total)}**`, '']),
  );

  const worst = [...perFile.entries()]
    .map(([f, c]) => [f, c.Survived + c.NoCoverage])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15);
  console.log('\n## Most survivors (survived + no coverage)\n');
  for (const [f, n] of worst) console.log(`- ${f}: ${n}`);

  console.log(`\n## Source files without mutants, their part run (${noMutants.length})\n`);
  for (const f of noMutants) console.log(`- ${f} (${partOf(f).name})`);
  console.log(`\n## Source files with no run (${notRun.length} of ${files.length})\n`);
  for (const f of notRun) console.log(`- ${f} (${partOf(f)?.name ?? 'no part'})`);
  if (unassigned.length) {
    console.log('\n## Source files in no part\n');
    for (const f of unassigned) console.log(`- ${f}`);
    process.exitCode = 1;
  }
}

if (process.argv.includes('--commands')) {
  for (const p of PARTS)
    console.log(
      `MUTATE='${p.mutate.join(',')}' SPEC='${p.spec.join(',')}' REPORT=${p.name} npx stryker run stryker.security.config.mjs --concurrency 1 > reports/logs/${p.name}.log 2>&1`,
    );
} else if (process.argv.includes('--parts')) {
  console.log(row(['part', 'security', 'files mutated', 'specs']));
  console.log(row(Array(4).fill('---')));
  const files = sourceFiles();
  for (const p of PARTS) {
    const mine = files.filter((f) => partOf(f) === p).map((f) => `\`${f}\``);
    console.log(row([p.name, p.security ? 'yes' : '', mine.join(', '), p.spec.map((g) => `\`${g}\``).join(', ')]));
  }
  const none = files.filter((f) => !partOf(f));
  if (none.length) console.log(`\nIn no part: ${none.join(', ')}`);
} else {
  aggregate();
}
