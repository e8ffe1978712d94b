import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';

/** The timeouts {@link serverWithTimeouts} sets, in milliseconds. */
export type ServerTimeouts = Required<Pick<ServerOptions, 'requestTimeout' | 'headersTimeout' | 'keepAliveTimeout' | 'connectionsCheckingInterval'>>;

/**
 * The demo server's timeouts. Node's defaults are generous: a request may
 * take 300 s to arrive, so a client that sends its headers or body a byte at
 * a time holds a connection (and its memory) for minutes. These cut it off.
 */
export const SERVER_TIMEOUTS: Readonly<ServerTimeouts> = {
  /** The whole request, headers and body, must arrive within this (Node's default: 300 s). */
  requestTimeout: 15_000,
  /** The headers must arrive within this; at most `requestTimeout` (Node's default: 60 s). */
  headersTimeout: 10_000,
  /** An idle keep-alive connection is closed after this (Node's default: 5 s); behind a proxy, keep it above the proxy's idle timeout. */
  keepAliveTimeout: 5_000,
  /** How often Node checks the two timeouts above (Node's default: 30 s, which would let them overrun by that much). */
  connectionsCheckingInterval: 1_000,
};

/** An HTTP server for `app` with {@link SERVER_TIMEOUTS} (or `timeouts` over them), not yet listening. */
export function serverWithTimeouts(app: RequestListener, timeouts: Partial<ServerTimeouts> = {}): Server {
  const options = { ...SERVER_TIMEOUTS, ...timeouts };
  const server = createServer(options, app);
  // keepAliveTimeout is not a createServer option on every Node version this package supports.
  server.keepAliveTimeout = options.keepAliveTimeout;
  return server;
}
