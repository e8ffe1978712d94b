/**
 * The verified-token memory's hit path: `backend.decode()` of one token it
 * remembers, in ns per call, for the package at a given checkout (so two
 * commits can be compared in one interleaved run):
 *
 *   for i in 1 2 3; do for r in /path/to/old /path/to/new; do (cd $r && npx tsx bench/verified-hit.bench.ts $r); done; done
 */
import path from 'node:path';

interface Backend {
  decode(token: string): unknown;
}
interface Instance {
  backend: Backend;
  AccessToken: new () => { toString(): string };
}

const root = path.resolve(process.argv[2] ?? '.');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SimpleJWT } = require(path.join(root, 'lib')) as { SimpleJWT: new (options: object) => Instance };
const sj = new SimpleJWT({ signingKey: 'a'.repeat(48) });
const token = String(new sj.AccessToken());
for (let i = 0; i < 200_000; i++) sj.backend.decode(token);
const calls = 2_000_000;
const started = process.hrtime.bigint();
for (let i = 0; i < calls; i++) sj.backend.decode(token);
const ns = Number(process.hrtime.bigint() - started) / calls;
console.log(`${root}: ${ns.toFixed(1)} ns per remembered decode`);
