import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 between an app and its database, to take the
 * database away for real: `cut()` destroys every relayed connection and
 * stops listening (new connections are refused), `restore()` listens again
 * on the same port.
 */
export interface TcpRelay {
  port: number;
  cut(): Promise<void>;
  /** Destroys every relayed connection and keeps accepting new ones without ever answering (a database host that hangs). */
  blackhole(): void;
  /** Keeps every relayed connection open but stops forwarding (what each side sends is dropped), and holds new ones unanswered: a half-open database. */
  stall(): void;
  /**
   * A route lost for good: the connections relayed so far stay open but never
   * forward again (neither side learns it), and new ones are held unanswered
   * until `heal()`.
   */
  drop(): void;
  /** The route back: held connections and new ones forward again; the dropped ones stay silent. */
  heal(): void;
  /** How many connections dropped by drop() the app still keeps open. */
  droppedOpen(): number;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A relay in front of the test database at `url` (PostgreSQL or MariaDB), and
 * `url` rewritten to go through it (`mariadb:` as `mysql:`, Sequelize's name).
 */
export async function relayTo(url: string, dialect: string): Promise<{ relay: TcpRelay; url: string }> {
  const target = new URL(url);
  const relay = await startRelay(target.hostname, Number(target.port || (dialect === 'postgres' ? 5432 : 3306)));
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String(relay.port);
  return { relay, url: via.toString().replace(/^mariadb:/i, 'mysql:') };
}

export async function startRelay(targetHost: string, targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  /** Connections accepted while holding, not yet relayed. */
  const held = new Set<Socket>();
  /** Sockets whose traffic is dropped for good (drop()). */
  const dropped = new WeakSet<Socket>();
  /** The app's side of each relayed connection. */
  const clients = new WeakSet<Socket>();
  let holding = false;
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const relay = (client: Socket) => {
    clients.add(client);
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    // Forwarded by hand rather than piped, so that stall() and drop() can drop the traffic of live connections.
    client.on('data', (chunk: Buffer) => void (stalled || dropped.has(client) || upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (stalled || dropped.has(client) || client.write(chunk)));
  };
  const newServer = () =>
    createServer((client) => {
      track(client);
      if (holding) {
        // Accepted, never answered (what the client sends waits in the socket, paused).
        held.add(client);
        client.on('close', () => held.delete(client));
        return;
      }
      relay(client);
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });

  let server: Server | null = newServer();
  const port = await listen(server, 0);
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    if (server) {
      const closing = server;
      server = null;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
  };
  return {
    port,
    cut: stop,
    blackhole() {
      holding = true;
      for (const socket of sockets) socket.destroy();
    },
    stall() {
      stalled = true;
      holding = true;
    },
    drop() {
      holding = true;
      for (const socket of sockets) dropped.add(socket);
    },
    droppedOpen() {
      return [...sockets].filter((socket) => clients.has(socket) && dropped.has(socket)).length;
    },
    heal() {
      holding = false;
      for (const client of held) relay(client);
      held.clear();
    },
    async restore() {
      holding = false;
      held.clear();
      stalled = false;
      for (const socket of sockets) socket.destroy(); // the held ones
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: stop,
  };
}
