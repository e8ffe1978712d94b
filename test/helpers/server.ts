import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { underCI } from './ci';

/** A running HTTP server on 127.0.0.1 and a JSON client for it. */
export interface TestServer {
  url: string;
  /** POSTs `body` as JSON to `path`; resolves to the status and the parsed body. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<JsonResponse>;
  /** GETs `path`. */
  get(path: string, headers?: Record<string, string>): Promise<JsonResponse>;
  close(): Promise<void>;
}

export interface JsonResponse {
  status: number;
  body: Record<string, unknown>;
  /** Milliseconds from sending to the whole answer. */
  ms: number;
}

/** Serves `app` on an ephemeral port of 127.0.0.1 (real sockets: concurrency as in production). */
export async function listen(app: Express): Promise<TestServer> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return clientFor(
    url,
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
}

/** A JSON client for a server that runs elsewhere (another process). */
export function clientFor(url: string, close: () => Promise<void> = async () => {}): TestServer {
  async function send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<JsonResponse> {
    const started = performance.now();
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { unparsed: text };
    }
    return { status: res.status, body: parsed, ms: performance.now() - started };
  }
  return {
    url,
    post: (path, body, headers = {}) => send('POST', path, body, headers),
    get: (path, headers = {}) => send('GET', path, undefined, headers),
    close,
  };
}

/** Rounds of a repeated concurrency scenario: `CONCURRENCY_ROUNDS`, else 20 in CI and 5 locally. */
export function concurrencyRounds(): number {
  const fromEnv = Number(process.env.CONCURRENCY_ROUNDS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return underCI() ? 20 : 5;
}
