// Writes the complete examples of the README and of the pages of docs/ beside
// it into a directory, for tsc to build against the installed package and for
// guide-run.cjs to run. A complete example is a ```ts or ```json block right
// after a `<!-- file: NAME -->` line; the blocks form one app (the README's
// five-minute guide: package.json, tsconfig.json and the .ts files, importing
// each other as './models.js'). Without a tsconfig.json block, a strict one is written.
const fs = require('node:fs');
const path = require('node:path');

const [readmePath, outDir] = process.argv.slice(2);
const docsDir = path.join(path.dirname(readmePath), 'docs');
const pages = [
  readmePath,
  ...(fs.existsSync(docsDir)
    ? fs
        .readdirSync(docsDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => path.join(docsDir, f))
    : []),
];
const readme = pages.map((page) => fs.readFileSync(page, 'utf8')).join('\n');
const blocks = [...readme.matchAll(/^<!-- file: ([\w.-]+\.(?:ts|json)) -->\n```(?:ts|json)\n([\s\S]*?)^```$/gm)];
if (blocks.length === 0) {
  console.error('pack-install: FAILED: the README has no complete examples (<!-- file: NAME.ts --> before a ```ts block)');
  process.exit(1);
}
fs.mkdirSync(outDir, { recursive: true });
for (const [, name, code] of blocks) {
  if (fs.existsSync(path.join(outDir, name))) {
    console.error(`pack-install: FAILED: the README and docs/ name ${name} twice`);
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
