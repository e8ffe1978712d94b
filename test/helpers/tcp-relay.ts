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
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(targetHost: string, targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let holding = false;
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const newServer = () =>
    createServer((client) => {
      track(client);
      if (holding) return; // accepted, never answered
      const upstream = connect(targetPort, targetHost);
      track(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      // Forwarded by hand rather than piped, so that stall() can drop the traffic of live connections.
      client.on('data', (chunk: Buffer) => void (stalled || upstream.write(chunk)));
      upstream.on('data', (chunk: Buffer) => void (stalled || client.write(chunk)));
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
    async restore() {
      holding = false;
      stalled = false;
      for (const socket of sockets) socket.destroy(); // the held ones
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: stop,
  };
}
