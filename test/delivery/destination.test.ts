import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCallbackUrl, forbiddenAddress, type Resolver } from '../../src/delivery/destination.ts';
import { WebhookSender } from '../../src/delivery/sender.ts';

describe('forbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '::127.0.0.1',
    '::7f00:1',
    '::10.0.0.1',
    '::ffff:0:a00:1',
  ])('refuses %s unless private addresses are allowed', (address) => {
    expect(forbiddenAddress(address, false)).toBeDefined();
    expect(forbiddenAddress(address, true)).toBeUndefined();
  });

  it.each([
    '169.254.169.254',
    'fd00:ec2::254',
    '100.100.100.200',
    '::ffff:169.254.169.254',
    // The same addresses in other IPv6 spellings: IPv4-compatible, mapped, SIIT and NAT64, dotted or hex, zeros written out.
    '::169.254.169.254',
    '::a9fe:a9fe',
    '::ffff:a9fe:a9fe',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '0000:0000:0000:0000:0000:0000:a9fe:a9fe',
    '::ffff:0:169.254.169.254',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '::6464:64c8',
    'fd00:0ec2:0:0::0254',
  ])('always refuses the metadata address %s', (address) => {
    expect(forbiddenAddress(address, true)).toMatch(/metadata/);
  });

  it.each(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '8.8.8.8'])('allows the public address %s', (address) => {
    expect(forbiddenAddress(address, false)).toBeUndefined();
  });
});

describe('checkCallbackUrl', () => {
  const policy = { allowPrivate: false, allowHttpHosts: ['localhost', '::1'] };
  it('wants https, except for the hosts allowed plain http', () => {
    expect(checkCallbackUrl('https://portal.example/hook', policy).host).toBe('portal.example');
    expect(() => checkCallbackUrl('http://portal.example/hook', policy)).toThrow(/https/);
    expect(checkCallbackUrl('http://localhost:8080/hook', policy).port).toBe('8080');
    expect(() => checkCallbackUrl('http://[::1]:8080/hook', policy)).toThrow(/private, loopback/); // allowed http, but loopback is not
    expect(checkCallbackUrl('http://[::1]:8080/hook', { ...policy, allowPrivate: true }).hostname).toBe('[::1]');
  });
  it('refuses credentials, fragments and literal private addresses', () => {
    expect(() => checkCallbackUrl('https://a:b@portal.example/', policy)).toThrow(/credentials/);
    expect(() => checkCallbackUrl('https://portal.example/#x', policy)).toThrow(/fragment/);
    expect(() => checkCallbackUrl('https://10.0.0.8/hook', policy)).toThrow(/private/);
    expect(() => checkCallbackUrl('https://[::ffff:a00:8]/hook', policy)).toThrow(/private/);
    expect(() => checkCallbackUrl('https://[::169.254.169.254]/latest/meta-data/', { ...policy, allowPrivate: true })).toThrow(/metadata/);
  });
});

describe('WebhookSender', () => {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.headers.host} ${req.url}`);
    res.writeHead(204).end();
  });
  const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // A stand-in for DNS: the names below resolve to these addresses.
  const dns: Record<string, string[]> = { 'portal.example': ['127.0.0.1'], 'rebind.example': ['127.0.0.1', '10.0.0.1'] };
  const resolve: Resolver = (hostname, callback) => {
    const addresses = dns[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  const sender = (allowPrivate: boolean) => new WebhookSender({ allowPrivate, allowHttpHosts: ['portal.example', 'rebind.example'], timeoutMs: 2000, resolve });

  it('checks the resolved address at connect time and connects to the address it checked', async () => {
    const port = await listening;
    const open = sender(true);
    const ok = await open.send(`http://portal.example:${port}/hook`, '{}', { 'content-type': 'application/json' });
    expect(ok).toMatchObject({ status: 204 });
    expect(requests.at(-1)).toBe(`portal.example:${port} /hook`);
    await open.close();

    const strict = sender(false);
    const before = requests.length;
    const refused = await strict.send(`http://portal.example:${port}/hook`, '{}', {});
    expect(refused).toMatchObject({ refused: true, error: expect.stringMatching(/portal\.example is refused: 127\.0\.0\.1 is a private/) });
    // A name with one private address among public ones is refused as a whole (no connection is tried).
    const mixed = await strict.send(`http://rebind.example:${port}/hook`, '{}', {});
    expect(mixed).toMatchObject({ refused: true });
    expect(requests.length).toBe(before);
    await strict.close();
  });

  it('never follows a redirect and reports an unknown name as an error', async () => {
    const port = await listening;
    const redirecting = http.createServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end());
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', () => r()));
    const s = new WebhookSender({ allowPrivate: true, allowHttpHosts: ['127.0.0.1'], timeoutMs: 2000 });
    const before = requests.length;
    expect(await s.send(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hook`, '{}', {})).toMatchObject({ status: 302 });
    expect(requests.length).toBe(before);
    await new Promise<void>((r) => redirecting.close(() => r()));
    await s.close();

    const unknown = await sender(true).send('https://nowhere.example/hook', '{}', {});
    expect(unknown).toMatchObject({ error: expect.stringContaining('nowhere.example') });
    expect(unknown.status).toBeUndefined();
  });
});
