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
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(targetHost: string, targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let holding = false;
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
      client.pipe(upstream);
      upstream.pipe(client);
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
    async restore() {
      holding = false;
      for (const socket of sockets) socket.destroy(); // the held ones
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: stop,
  };
}
