// The tarball holds the built package and its documents, nothing else:
// no sources, tests, examples, benchmarks or source maps pointing at files it lacks.
const fs = require('node:fs');

const [pack] = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const files = pack.files.map((f) => f.path);
const failures = [];
const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|docs\/[\w.-]+\.md|dist\/(lib|routes|models)\/.+\.(js|d\.ts))$/;
for (const file of files) if (!allowed.test(file)) failures.push(`unexpected file ${file}`);
for (const needed of [
  'package.json',
  'README.md',
  'docs/settings.md',
  'LICENSE',
  'dist/lib/extend.js',
  'dist/lib/extend.d.ts',
  'dist/lib/index.js',
  'dist/lib/index.d.ts',
  'dist/lib/cli.js',
  'dist/models/migrate.js',
  'dist/routes/token-router.js',
]) {
  if (!files.includes(needed)) failures.push(`missing ${needed}`);
}
console.log(`${files.length} files, ${(pack.size / 1024).toFixed(0)} kB packed, ${(pack.unpackedSize / 1024).toFixed(0)} kB unpacked`);
if (failures.length > 0) {
  console.error(`pack-install: FAILED: the tarball's contents: ${failures.join('; ')}`);
  process.exit(1);
}
