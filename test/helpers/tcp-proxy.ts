// A TCP fault proxy on loopback (a small toxiproxy): forwards to one target and can cut the line.
//  - 'blackhole': nothing passes either way, on existing and new connections, until healed; what
//    was sent meanwhile is held and delivered afterwards, as TCP does after a partition heals.
//  - 'reset': every connection is reset now, and new ones are reset as soon as they arrive.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'reset';

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  mode(): ProxyMode;
  cut(mode: 'blackhole' | 'reset'): void;
  heal(): void;
  connections(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let current: ProxyMode = 'pass';
  const pairs = new Set<Pair>();

  const hold = (pair: Pair) => {
    pair.client.pause();
    pair.upstream.pause();
  };
  const release = (pair: Pair) => {
    pair.client.resume();
    pair.upstream.resume();
  };
  const reset = (pair: Pair) => {
    pair.client.resetAndDestroy();
    pair.upstream.resetAndDestroy();
    pairs.delete(pair);
  };

  const server: Server = createServer((client) => {
    if (current === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
    if (current === 'blackhole') hold(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    mode: () => current,
    cut(mode) {
      current = mode;
      for (const pair of [...pairs]) (mode === 'reset' ? reset : hold)(pair);
    },
    heal() {
      current = 'pass';
      for (const pair of pairs) release(pair);
    },
    connections: () => pairs.size,
    async close() {
      for (const pair of [...pairs]) reset(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
