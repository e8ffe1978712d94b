// Prints {packages, bytes, paths} of a node_modules tree: every installed package
// (nested copies too), symlinks not followed, sizes as the disk has them.
const fs = require('node:fs');
const path = require('node:path');

function size(dir) {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    bytes += entry.isDirectory() ? size(full) : fs.statSync(full).size;
  }
  return bytes;
}

function packages(nodeModules, found) {
  if (!fs.existsSync(nodeModules)) return found;
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(nodeModules, entry.name);
    if (entry.name.startsWith('@') && entry.isDirectory()) {
      packages(full, found);
      continue;
    }
    if (entry.isSymbolicLink() || !entry.isDirectory()) {
      found.push(path.relative(process.argv[2], full));
      continue;
    }
    if (!fs.existsSync(path.join(full, 'package.json'))) continue;
    found.push(path.relative(process.argv[2], full));
    packages(path.join(full, 'node_modules'), found);
  }
  return found;
}

const root = process.argv[2];
const paths = packages(root, []);
console.log(JSON.stringify({ packages: paths.length, bytes: size(root), paths }));
