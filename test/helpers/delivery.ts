// Driving a gateway for delivery tests: API calls as a client, cases whose status changes.
import type { Gateway } from '../../src/gateway.ts';
import { authHeader, type SECRETS } from './gateway.ts';

type Client = keyof typeof SECRETS;

export function deliveryApi(gateway: Gateway) {
  const call = async (client: Client, path: string, init: { method?: string; body?: unknown } = {}) =>
    gateway.app.request(path, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { ...authHeader(client), ...(init.body ? { 'content-type': 'application/json' } : {}) },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
  const subscribe = (body: Record<string, unknown>, client: Client = 'portaal') => call(client, '/api/v1/subscriptions', { body });
  const newCase = async (bsn = '111222333') => {
    const res = await call('zac', '/api/v1/cases', { body: { title: 'Aanvraag traplift', citizen: { bsn } } });
    if (res.status !== 201) throw new Error(`case not created: ${res.status} ${await res.text()}`);
    return (await res.json()).id as string;
  };
  const setPhase = async (caseId: string, phase: string) => {
    const res = await call('zac', `/api/v1/cases/${caseId}/status`, { body: { phase } });
    if (res.status !== 200) throw new Error(`phase not set: ${res.status} ${await res.text()}`);
  };
  return { call, subscribe, newCase, setPhase };
}
