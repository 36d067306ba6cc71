import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNetworkFile, NetworkFileError } from '../../src/network/load.ts';
import { resolveSecret, SecretError } from '../../src/network/secrets.ts';
import type { ZakenOrganisation } from '../../src/network/types.ts';
import { testNetwork } from '../helpers/gateway.ts';
import { organisation } from '../helpers/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'ks-network-'));
const write = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('NETWORK_FILE', () => {
  it('loads a valid file with inline and environment secrets', () => {
    const net = testNetwork([organisation('a', { notifications: { mode: 'push', clientId: 'a', secret: { env: 'A_NOTIFY_SECRET' } } })]);
    const loaded = loadNetworkFile(write('ok.json', net));
    expect(loaded.organisations[0].id).toBe('a');
    expect(resolveSecret((loaded.organisations[0] as ZakenOrganisation).notifications.secret, { A_NOTIFY_SECRET: 'from-env' })).toBe('from-env');
    expect(() => resolveSecret({ env: 'MISSING' }, {})).toThrow(SecretError);
  });

  it.each([
    ['a bad apiRoot', (n: any) => (n.organisations[0].zaken.apiRoot = 'not a url'), '$.organisations[0].zaken.apiRoot'],
    ['a missing self.oin', (n: any) => delete n.self.oin, '$.self.oin'],
    ['an unknown property', (n: any) => (n.organisations[0].colour = 'red'), '$.organisations[0].colour'],
    ['a duplicate organisation', (n: any) => n.organisations.push(n.organisations[0]), '$.organisations[1].id'],
    ['a bad role', (n: any) => (n.clients[0].role = 'admin'), '$.clients[0].role'],
    ['active without agreement', (n: any) => delete n.organisations[0].agreement, '$.organisations[0].agreement'],
  ])('refuses %s and names the JSON path', (_name, mutate, path) => {
    const net = testNetwork([organisation('a')]);
    mutate(net);
    expect(() => loadNetworkFile(write(`bad-${path}.json`, net))).toThrow(NetworkFileError);
    try {
      loadNetworkFile(write(`bad-${path}.json`, net));
    } catch (error) {
      expect((error as Error).message).toContain(`${path}:`);
    }
  });

  it('says so when the file is not JSON', () => {
    expect(() => loadNetworkFile(write('broken.json', '{ nope'))).toThrow(/not valid JSON/);
  });
});
