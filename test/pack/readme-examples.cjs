// Writes the README's complete examples into a directory, for tsc to build
// against the installed package and for guide-run.cjs to run. A complete
// example is a ```ts or ```json block right after a `<!-- file: NAME -->`
// line; the blocks form one app (the five-minute guide: package.json,
// tsconfig.json and the .ts files, importing each other as './models.js').
// Without a tsconfig.json block, a strict one is written.
const fs = require('node:fs');
const path = require('node:path');

const [readmePath, outDir] = process.argv.slice(2);
const readme = fs.readFileSync(readmePath, 'utf8');
const blocks = [...readme.matchAll(/^<!-- file: ([\w.-]+\.(?:ts|json)) -->\n```(?:ts|json)\n([\s\S]*?)^```$/gm)];
if (blocks.length === 0) {
  console.error('pack-install: FAILED: the README has no complete examples (<!-- file: NAME.ts --> before a ```ts block)');
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
for (const [, name, code] of blocks) {
  if (fs.existsSync(path.join(outDir, name))) {
    console.error(`pack-install: FAILED: the README names ${name} twice`);
    process.exit(1);
  }
  fs.writeFileSync(path.join(outDir, name), code);
}
// As `tsc --init` would set up a strict Node app, without skipping library checks.
const defaultTsconfig = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  include: ['*.ts'],
};
if (!fs.existsSync(path.join(outDir, 'tsconfig.json'))) fs.writeFileSync(path.join(outDir, 'tsconfig.json'), JSON.stringify(defaultTsconfig, null, 2));
console.log(`README examples: ${blocks.map(([, name]) => name).join(', ')}`);
