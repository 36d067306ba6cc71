import type { Organisation } from '../../src/network/types.ts';

export function organisation(id: string, overrides: Partial<Organisation> = {}): Organisation {
  return {
    id,
    name: `Organisatie ${id}`,
    oin: '00000003012345678000',
    rsin: '012345672',
    status: 'active',
    agreement: { version: '2026-1', acceptedAt: '2026-01-10T09:00:00Z', acceptedBy: 'J. Jansen' },
    zaken: { apiRoot: 'https://zaken.example/zaken/api/v1/', auth: { type: 'zgw-jwt', clientId: 'gemeente-test', secret: 'outbound-secret-0123456789' } },
    notifications: { mode: 'push', clientId: id, secret: 'notify-secret-0123456789abc' },
    products: [{ code: 'traplift', name: { nl: 'Traplift', en: 'Stairlift' }, zaaktype: 'https://catalogi.example/catalogi/api/v1/zaaktypen/1' }],
    ...overrides,
  };
}
