import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createClient } from 'redis';
import { failUnderCI } from './ci';

/** The Redis the tests use: `TEST_REDIS_URL`, or the local default. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestRedisClient = ReturnType<typeof createClient>;

/** A connected client on REDIS_URL; errors are collected, not thrown as unhandled events. */
export async function connectedClient(url = REDIS_URL, options: Parameters<typeof createClient>[0] = {}): Promise<TestRedisClient> {
  const client = createClient({ url, ...options });
  client.on('error', () => {
    /* expected in the outage tests; the commands' rejections are what is asserted */
  });
  await client.connect();
  return client;
}

/**
 * Checks once per suite that Redis answers. Without it: skip locally with the
 * reason printed, and fail loudly in CI (when `CI` is set), so a CI run can
 * never pass by silently skipping the Redis tests.
 */
export async function requireRedis(ctx: Mocha.Context): Promise<void> {
  const probe = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    const reason = `Redis not reachable at ${REDIS_URL} (${err instanceof Error ? err.message : String(err)}); start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`;
    failUnderCI(`these tests need Redis: ${reason}`);
    console.warn(`      skipping: ${reason}`);
    ctx.skip();
  } finally {
    if (probe.isOpen) probe.destroy();
  }
}

/** A key prefix no other test (or concurrent run) uses. */
export function uniquePrefix(): string {
  return `sjwt-test:${randomBytes(6).toString('hex')}:`;
}

/**
 * Call inside a `describe`: a connected client for the suite (skipped, or
 * failed in CI, without Redis) and a fresh key prefix for each test, whose
 * keys are deleted after it.
 */
export function useRedisPrefix(): { readonly redis: TestRedisClient; readonly prefix: string } {
  const state = {} as { redis: TestRedisClient; prefix: string };
  before(async function () {
    await requireRedis(this);
    state.redis = await connectedClient();
  });
  beforeEach(() => {
    state.prefix = uniquePrefix();
  });
  afterEach(async () => {
    if (!state.redis?.isReady) return;
    const keys = await state.redis.keys(`${state.prefix}*`);
    if (keys.length > 0) await state.redis.del(keys);
  });
  after(() => {
    if (state.redis?.isOpen) state.redis.destroy();
  });
  return state;
}

/** A port on 127.0.0.1 nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP relay to the real Redis the tests can cut: `pause()` keeps the
 * connections open but stops forwarding (a network partition: commands get no
 * answer), `stop()` drops everything and refuses new connections (Redis
 * down), `start()` listens again on the same port.
 */
export class RedisRelay {
  port = 0;
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private paused = false;

  private readonly target: { host: string; port: number };

  constructor(private readonly targetUrl: string = REDIS_URL) {
    this.target = parseHostPort(targetUrl);
  }

  /** The relay's address with the target's credentials and database index (`TEST_REDIS_URL`'s `/n`). */
  get url(): string {
    return relayUrl(this.targetUrl, this.port);
  }

  async start(): Promise<void> {
    this.paused = false;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.on('data', (chunk) => {
        if (!this.paused) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!this.paused) client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
  }

  pause(): void {
    this.paused = true;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `url` with its host and port replaced by 127.0.0.1:`port`; scheme, credentials, database index and query kept. */
export function relayUrl(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

function parseHostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}

/** Resolves when the client is ready again (its own reconnect strategy does the work), or fails after `ms`. */
export function whenReady(client: TestRedisClient, ms = 10_000): Promise<void> {
  if (client.isReady) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis client not ready again after ${ms} ms`)), ms);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Time taken by a promise that must reject; returns the error and the elapsed milliseconds. */
export async function rejectionOf(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await work;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the promise to reject, it resolved');
}
