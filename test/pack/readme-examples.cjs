// Writes the README's complete TypeScript examples into a directory with a
// strict tsconfig, for tsc to check against the installed package. A complete
// example is a ```ts block right after a `<!-- file: NAME.ts -->` line; the
// blocks of one section form one app and import each other ('./models').
const fs = require('node:fs');
const path = require('node:path');

const [readmePath, outDir] = process.argv.slice(2);
const readme = fs.readFileSync(readmePath, 'utf8');
const blocks = [...readme.matchAll(/^<!-- file: ([\w.-]+\.ts) -->\n```ts\n([\s\S]*?)^```$/gm)];
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
const tsconfig = {
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
fs.writeFileSync(path.join(outDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
console.log(`README examples: ${blocks.map(([, name]) => name).join(', ')}`);
