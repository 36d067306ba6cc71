// `npm run token -- --client zac`: prints a ZGW JWT for a configured client (for curl).
import { parseArgs } from 'node:util';
import { parseConfig } from '../config.ts';
import { DEMO_CLIENTS } from '../demo/network.ts';
import { signZgwJwt } from '../lib/zgw-jwt.ts';
import { loadNetworkFile } from '../network/load.ts';
import { resolveSecret } from '../network/secrets.ts';

const { values } = parseArgs({ options: { client: { type: 'string', default: 'zac' } } });
try {
  const config = parseConfig(process.env);
  const clients = config.networkFile ? loadNetworkFile(config.networkFile).clients : DEMO_CLIENTS;
  const client = clients.find((c) => c.clientId === values.client);
  if (!client) {
    process.stderr.write(`unknown client "${values.client}"; configured: ${clients.map((c) => c.clientId).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`${signZgwJwt({ client_id: client.clientId }, resolveSecret(client.secret, process.env)!)}\n`);
} catch (error) {
  process.stderr.write(`token: ${(error as Error).message}\n`);
  process.exit(1);
}
