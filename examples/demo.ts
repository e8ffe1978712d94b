/**
 * `npm start`: the demo server. Environment: PORT (8000), HOST (127.0.0.1),
 * JWT_SECRET (else a random one, with a warning), DEMO_DB (the SQLite file).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DEMO_PASSWORD, DEMO_USERNAME, createDemoApp } from './app';

const DEFAULT_PORT = 8000;
const DEFAULT_HOST = '127.0.0.1';

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got '${value}'`);
  return port;
}

function secretFrom(value: string | undefined): string {
  if (value) return value;
  console.warn('WARNING: JWT_SECRET is not set; using a random secret. Tokens will not survive a restart.');
  return randomBytes(32).toString('base64url');
}

/** A URL a curl on this machine can reach, also when bound to every interface. */
function baseUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

async function main(): Promise<void> {
  const port = portFrom(process.env.PORT);
  const host = process.env.HOST || DEFAULT_HOST;
  const storage = process.env.DEMO_DB || path.join(__dirname, 'demo.sqlite3');
  const { app, sequelize } = await createDemoApp({ storage, signingKey: secretFrom(process.env.JWT_SECRET) });

  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const url = baseUrl(host, typeof address === 'object' && address ? address.port : port);

  const json = "-H 'Content-Type: application/json'";
  console.log(
    [
      `passport-simplejwt demo on ${url}  (SQLite: ${storage})`,
      '',
      `Demo user: ${DEMO_USERNAME} / ${DEMO_PASSWORD}`,
      '',
      `Login page (tokens in HttpOnly cookies): ${url}/`,
      '',
      'Try:',
      `  curl -s ${url}/api/me/                                  # 401, no token`,
      `  curl -s ${url}/api/token/ ${json} -d '{"username": "${DEMO_USERNAME}", "password": "${DEMO_PASSWORD}"}'`,
      '                                                        # {"refresh": ..., "access": ...}',
      `  curl -s ${url}/api/me/ -H "Authorization: Bearer $ACCESS"`,
      `  curl -s ${url}/api/token/refresh/ ${json} -d "{\\"refresh\\": \\"$REFRESH\\"}"   # rotates: keep the new refresh`,
      `  curl -s ${url}/api/token/verify/ ${json} -d "{\\"token\\": \\"$ACCESS\\"}"`,
      `  curl -s ${url}/api/token/blacklist/ ${json} -d "{\\"refresh\\": \\"$REFRESH\\"}"  # log out`,
      `  curl -s -X POST ${url}/api/logout-all/ -H "Authorization: Bearer $ACCESS"      # log out everywhere`,
      '',
      'Ctrl-C to stop.',
    ].join('\n'),
  );

  const stop = () => {
    server.close(() => void sequelize.close().finally(() => process.exit(0)));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
