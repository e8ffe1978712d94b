/**
 * The demo app (SQLite, scrypt passwords, both apps on) in its own process,
 * configured by argv[2] (JSON: `loginConcurrency`, `loginThrottle`).
 * Started by login-flood.bench.ts.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDemoApp, type DemoAppOptions } from '../examples/app';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as Pick<DemoAppOptions, 'loginConcurrency' | 'loginThrottle'>;
  const storage = path.join(mkdtempSync(path.join(os.tmpdir(), 'sjwt-flood-')), 'demo.sqlite3');
  const { app } = await createDemoApp({ storage, signingKey: process.env.BENCH_SECRET, ...config });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  process.on('message', (msg) => {
    if (msg === 'stop') server.close(() => process.exit(0)).closeAllConnections();
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
