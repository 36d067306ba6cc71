// One simulator seen on two origins: its Zaken API on one port, its Catalogi API on another, as
// where Catalogi lives elsewhere. Two small HTTP proxies forward to the simulator and rewrite the
// URLs in requests (to the simulator's origin) and in answers (catalogi URLs to the Catalogi
// origin, the rest to the Zaken origin).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface SplitOrigins {
  zaken: string;
  catalogi: string;
  /** A simulator URL as the proxies show it. */
  outside(url: string): string;
  /** A URL as the proxies show it, as the simulator knows it. */
  inside(url: string): string;
  close(): Promise<void>;
}

const replaceAll = (text: string, from: string, to: string) => text.split(from).join(to);

export async function splitOrigins(simOrigin: string): Promise<SplitOrigins> {
  const servers: Server[] = [];
  let zaken = '';
  let catalogi = '';
  const inside = (text: string) => {
    let out = text;
    for (const origin of [zaken, catalogi]) {
      out = replaceAll(out, origin, simOrigin);
      out = replaceAll(out, encodeURIComponent(origin), encodeURIComponent(simOrigin));
    }
    return out;
  };
  const outside = (text: string) => replaceAll(replaceAll(text, `${simOrigin}/catalogi/`, `${catalogi}/catalogi/`), simOrigin, zaken);

  const start = async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
        const body = chunks.length > 0 ? inside(Buffer.concat(chunks).toString('utf8')) : undefined;
        request(`${simOrigin}${inside(req.url ?? '/')}`, { method: req.method as 'GET', headers, body })
          .then(async (upstream) => {
            const text = outside(await upstream.body.text());
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(upstream.headers))
              if (typeof v === 'string' && !['content-length', 'connection', 'transfer-encoding', 'keep-alive'].includes(k))
                out[k] = k === 'location' ? outside(v) : v;
            res.writeHead(upstream.statusCode, out).end(text);
          })
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  zaken = await start();
  catalogi = await start();
  return {
    zaken,
    catalogi,
    outside,
    inside,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
