// `layers/no-cycle`: no import circle between the project's own files, type imports
// included. `import-x/no-cycle` skips `import type` (a type-only circle costs nothing at
// run time), but a circle of types still ties two layers into one: the layers stay one
// way only if their types do too.
//
// The graph is read from disk with TypeScript's `preProcessFile` (every import and
// `export ... from`, types included; relative specifiers only), once per file and again
// when the file changes.
//
// Option `allow`: [importer, imported] pairs (paths from the working directory) left
// out of the graph, for a temporary, named exception; one whose import is gone is
// reported, so that the exception is removed with it.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.cjs', '.mjs'];
const cache = new Map(); // file -> { mtimeMs, deps }

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The project file a relative specifier names, or undefined. */
function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(c|m)?js$/, '');
  const candidates = [base, ...EXTENSIONS.map((ext) => stem + ext), ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find(isFile);
}

let allowed = new Set(); // 'importer\0imported', absolute paths
const edge = (from, to) => `${from}\0${to}`;

/** The project files `file` imports (types included), less the allowed edges. */
function depsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  let hit = cache.get(file);
  if (!hit || hit.mtimeMs !== mtimeMs) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    hit = { mtimeMs, deps: [...new Set(importedFiles.map((f) => resolveRelative(file, f.fileName)).filter(Boolean))] };
    cache.set(file, hit);
  }
  return hit.deps.filter((dep) => !allowed.has(edge(file, dep)));
}

/** The shortest path of imports from `start` back to `target`, or undefined. */
function pathBack(start, target) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const dep of depsOf(file)) {
      if (dep === target) {
        const route = [file];
        for (let at = previous.get(file); at !== undefined; at = previous.get(at)) route.unshift(at);
        return route;
      }
      if (!previous.has(dep)) {
        previous.set(dep, file);
        queue.push(dep);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import circles between project files, type imports included.' },
    schema: [
      {
        type: 'object',
        properties: { allow: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } } },
        additionalProperties: false,
      },
    ],
    messages: {
      cycle: 'Import circle (type imports included): {{route}}',
      stale: 'The exception for the import {{importer}} -> {{imported}} is no longer needed: remove it from the config.',
    },
  },
  create(context) {
    const file = context.physicalFilename;
    const cwd = context.cwd;
    const rel = (f) => path.relative(cwd, f);
    const allow = (context.options[0]?.allow ?? []).map(([from, to]) => [path.resolve(cwd, from), path.resolve(cwd, to)]);
    allowed = new Set(allow.map(([from, to]) => edge(from, to)));
    const imports = new Set();
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string') return;
      const dep = resolveRelative(file, specifier);
      if (!dep || dep === file) return;
      imports.add(dep);
      if (allowed.has(edge(file, dep))) return;
      const route = pathBack(dep, file);
      if (route) context.report({ node, messageId: 'cycle', data: { route: [file, ...route, file].map(rel).join(' -> ') } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check({ ...node, source: node.moduleReference.expression }),
      'Program:exit'(node) {
        for (const [from, to] of allow) {
          if (from === file && !imports.has(to)) {
            context.report({ node, loc: { line: 1, column: 0 }, messageId: 'stale', data: { importer: rel(from), imported: rel(to) } });
          }
        }
      },
    };
  },
};
