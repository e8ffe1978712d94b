/**
 * The layers of lib/ (ARCHITECTURE.md, eslint.config.mjs) hold for every file:
 * each file of lib/ is in a layer folder (or is a package entry), and an import
 * of any layer above its own, planted at the top of the file's real text, is
 * refused by `npm run lint` (`import-x/no-restricted-paths`). Issue #23 item 4;
 * the plants are listed in test/MUTATION.md.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');

/** One module of each layer, the target of a planted import. */
const REPRESENTATIVE = {
  types: 'lib/types/apps',
  settings: 'lib/settings',
  http: 'lib/http/cookies',
  storage: 'lib/storage/fail-closed',
  backend: 'lib/backend',
  tokens: 'lib/tokens/token',
  services: 'lib/services/revocation',
  wiring: 'lib/simplejwt',
  serializers: 'lib/serializers/serializer',
  strategies: 'lib/strategies/base-strategy',
  entry: 'lib/index',
  extend: 'lib/extend',
  models: 'models/migrate',
  routes: 'routes/views',
} as const;
type Layer = keyof typeof REPRESENTATIVE;

/** For each layer: the files in it, and the layers it must not import (everything not below it). */
const LAYERS: { name: string; files: RegExp; refused: Layer[] }[] = [
  {
    name: 'types',
    files: /^lib\/types\//,
    refused: ['settings', 'http', 'storage', 'backend', 'tokens', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  {
    name: 'settings and errors',
    files: /^lib\/(settings\/|(errors|logger|duration)\.ts$)/,
    refused: ['http', 'storage', 'backend', 'tokens', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  {
    name: 'http',
    files: /^lib\/http\//,
    refused: ['storage', 'backend', 'tokens', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  {
    name: 'storage',
    files: /^lib\/storage\//,
    refused: ['http', 'backend', 'tokens', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  {
    name: 'backend',
    files: /^lib\/backend\//,
    refused: ['http', 'storage', 'tokens', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  {
    name: 'tokens',
    files: /^lib\/tokens\//,
    refused: ['http', 'storage', 'services', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'],
  },
  { name: 'services', files: /^lib\/services\//, refused: ['http', 'wiring', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'] },
  { name: 'wiring', files: /^lib\/simplejwt\.ts$/, refused: ['http', 'serializers', 'strategies', 'entry', 'extend', 'models', 'routes'] },
  { name: 'serializers and strategies', files: /^lib\/(serializers|strategies)\//, refused: ['entry', 'extend', 'models', 'routes'] },
];
/** The package entries ('.', './extend', './sequelize', the bin): they import every layer. */
const ENTRIES = /^lib\/(index|extend|cli)\.ts$/;

function libFiles(dir = 'lib'): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? libFiles(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
  );
}

function specifier(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

describe('the layers of lib/ (npm run lint)', function () {
  this.timeout(120_000);
  let eslint: ESLint;

  before(() => {
    // The circle rules walk the whole import graph for every file; this test is about the zones.
    eslint = new ESLint({ cwd: ROOT, overrideConfig: { rules: { 'import-x/no-cycle': 'off', 'layers/no-cycle': 'off' } } });
  });

  it('every file of lib/ is in one layer or is a package entry', () => {
    for (const file of libFiles()) {
      const layers = LAYERS.filter((layer) => layer.files.test(file)).map((layer) => layer.name);
      if (ENTRIES.test(file)) expect(layers, file).to.deep.equal([]);
      else expect(layers, `${file}: in no layer folder, or in two`).to.have.length(1);
    }
  });

  it('an import of any layer above, planted in any file of lib/, fails the lint', async () => {
    const failures: string[] = [];
    let plants = 0;
    for (const file of libFiles()) {
      const layer = LAYERS.find((candidate) => candidate.files.test(file));
      if (!layer) continue;
      const planted = layer.refused.filter((target) => !REPRESENTATIVE[target].startsWith(file.replace(/(\/index)?\.ts$/, '')));
      const text =
        planted.map((target) => `import '${specifier(file, REPRESENTATIVE[target])}';`).join('\n') + '\n' + readFileSync(path.join(ROOT, file), 'utf8');
      const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, file) });
      const refusedLines = new Set(result.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.line));
      planted.forEach((target, i) => {
        plants += 1;
        if (!refusedLines.has(i + 1)) failures.push(`${file} importing ${REPRESENTATIVE[target]}`);
      });
    }
    expect(failures, 'planted upward imports the lint let through').to.deep.equal([]);
    expect(plants).to.be.greaterThan(500);
  });

  it('the files as they are pass the zones (the plants are what fails)', async () => {
    const results = await eslint.lintFiles(['lib/**/*.ts']);
    const refused = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => `${r.filePath}:${m.line}`));
    expect(refused).to.deep.equal([]);
  });
});
