// mTLS against a real https server that demands a client certificate. Certificates are made
// at run time with the openssl CLI so no private key is committed; skipped without openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import type { ZakenOrganisation } from '../../src/network/types.ts';
import { OutboundClients } from '../../src/outbound/clients.ts';
import { TestNetwork, testOrganisation } from '../../src/outbound/testing.ts';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  otherCa: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'ks-mtls-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  try {
    for (const ca of ['ca', 'other-ca']) ssl('req', '-x509', ...ec, '-keyout', f(`${ca}.key`), '-out', f(`${ca}.pem`), '-days', '1', '-subj', `/CN=${ca}`);
    for (const [name, ext] of [
      ['server', 'subjectAltName=IP:127.0.0.1'],
      ['client', 'extendedKeyUsage=clientAuth'],
    ]) {
      writeFileSync(f(`${name}.ext`), `${ext}\n`);
      ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${name}`);
      ssl(
        'x509',
        '-req',
        '-in',
        f(`${name}.csr`),
        '-CA',
        f('ca.pem'),
        '-CAkey',
        f('ca.key'),
        '-CAcreateserial',
        '-out',
        f(`${name}.pem`),
        '-days',
        '1',
        '-extfile',
        f(`${name}.ext`),
      );
    }
    const read = (name: string) => readFileSync(f(name), 'utf8');
    return {
      ca: read('ca.pem'),
      otherCa: read('other-ca.pem'),
      serverCert: read('server.pem'),
      serverKey: read('server.key'),
      clientCert: read('client.pem'),
      clientKey: read('client.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasOpenssl)('mTLS', () => {
  let pki: Pki;
  let url: string;
  let close: () => void;

  beforeAll(async () => {
    pki = makePki();
    const server = createServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client: peer.subject?.CN }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => {
      server.closeAllConnections();
      server.close();
    };
  });
  afterAll(() => close?.());

  async function call(tls: ZakenOrganisation['zaken']['tls']) {
    const org = testOrganisation('sub', `${url}/zaken/api/v1/`);
    const out = new OutboundClients({ network: new TestNetwork({ ...org, zaken: { ...org.zaken, tls } }), logger: createLogger('silent') });
    try {
      return await out.request('sub', { method: 'GET', url: `${url}/zaken/api/v1/zaken` }).catch((e: unknown) => e);
    } finally {
      await out.close();
    }
  }

  it('presents the client certificate and trusts the configured CA', async () => {
    expect(await call({ cert: pki.clientCert, key: pki.clientKey, ca: pki.ca })).toMatchObject({ status: 200, body: { client: 'client' } });
  });

  it('fails without a client certificate', async () => {
    expect(await call({ ca: pki.ca })).toMatchObject({ kind: 'network', retryable: true });
  });

  it('does not trust a server certificate from another CA', async () => {
    expect(await call({ cert: pki.clientCert, key: pki.clientKey, ca: pki.otherCa })).toMatchObject({ kind: 'network' });
  });
});
