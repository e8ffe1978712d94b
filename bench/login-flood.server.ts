/**
 * The demo app (SQLite, scrypt passwords, both apps on) in its own process,
 * configured by argv[2] (JSON: `loginConcurrency`, `loginThrottle`).
 * Started by login-flood.bench.ts.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_USERNAME, createDemoApp, type DemoAppOptions } from '../examples/app';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as Pick<DemoAppOptions, 'loginConcurrency' | 'loginThrottle'>;
  const storage = path.join(mkdtempSync(path.join(os.tmpdir(), 'sjwt-flood-')), 'demo.sqlite3');
  const { app, sj, User } = await createDemoApp({ storage, signingKey: process.env.BENCH_SECRET, ...config });
  // An access token that outlives the run (the demo's last 5 minutes), minted without a login the flood could throttle.
  const refresh = await sj.RefreshToken.forUser(await User.findOne({ where: { username: DEMO_USERNAME } }));
  const access = refresh.accessToken;
  access.setExp('exp', undefined, '1h');
  // Logins whose client gave up still run to the end: count them, so the bench can wait for this app to be idle.
  const users = sj.requireUsers();
  const authenticate = users.authenticate.bind(users);
  let pending = 0;
  users.authenticate = async (credentials, req) => {
    pending++;
    try {
      return await authenticate(credentials, req);
    } finally {
      pending--;
    }
  };
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0, access: String(access) });
  });
  process.on('message', (msg) => {
    if (msg === 'stop') server.close(() => process.exit(0)).closeAllConnections();
    if (msg === 'drain') {
      const poll = setInterval(() => {
        if (pending > 0) return;
        clearInterval(poll);
        process.send?.('drained');
      }, 50);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
