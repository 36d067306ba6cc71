// npm run simulator -- --port 8101 --catalogue hulpmiddelen-bv --client gemeente-voorbeeld=secret \
//   --notify http://localhost:8080/api/v1/notificaties --notify-client hulpmiddelen-bv --notify-secret xyz
import { parseArgs } from 'node:util';
import { demoSubcontractors } from './catalogue.ts';
import type { DemoCatalogueKey } from './catalogue.ts';
import { startSimulator } from './index.ts';
import type { NotifierConfig } from './types.ts';

const usage = `Usage: npm run simulator -- [options]
  --port <n>                    listen port (default 8101; 0 = any free port)
  --host <addr>                 listen address (default 127.0.0.1)
  --public-url <origin>         origin used in url fields (default http://<host>:<port>)
  --catalogue <key>             ${Object.keys(demoSubcontractors).join(' | ')} (default hulpmiddelen-bv)
  --name <text>                 organisation name (default from the catalogue)
  --rsin <9 digits>             organisation RSIN (default from the catalogue)
  --client <id=secret>          accepted ZGW JWT client; repeatable (at least one)
  --notify <url>                notification callback URL
  --notify-client <id>          client_id for the notification JWT (default the catalogue's)
  --notify-secret <secret>      secret for the notification JWT
  --notify-authorization <hdr>  fixed Authorization header instead of a JWT
  --page-size <n>               page size of list endpoints (default 100)
  --auto-advance-seconds <n>    move every unfinished zaak one status on every n seconds
  --strict-rsin                 apply the 11-proef to RSINs in POST zaken
  --strict-crs                  demand Accept-Crs on GET zaken too
  --help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

const parse = () =>
  parseArgs({
    options: {
      port: { type: 'string', default: '8101' },
      host: { type: 'string', default: '127.0.0.1' },
      'public-url': { type: 'string' },
      catalogue: { type: 'string', default: 'hulpmiddelen-bv' },
      name: { type: 'string' },
      rsin: { type: 'string' },
      client: { type: 'string', multiple: true, default: [] },
      notify: { type: 'string' },
      'notify-client': { type: 'string' },
      'notify-secret': { type: 'string' },
      'notify-authorization': { type: 'string' },
      'page-size': { type: 'string' },
      'auto-advance-seconds': { type: 'string' },
      'strict-rsin': { type: 'boolean', default: false },
      'strict-crs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
let values: ReturnType<typeof parse>['values'];
try {
  values = parse().values;
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const demo = demoSubcontractors[values.catalogue as DemoCatalogueKey];
if (!demo) fail(`unknown catalogue ${values.catalogue}`);

const clients: Record<string, string> = {};
for (const pair of values.client) {
  const i = pair.indexOf('=');
  if (i <= 0 || i === pair.length - 1) fail(`--client expects id=secret, got ${pair}`);
  clients[pair.slice(0, i)] = pair.slice(i + 1);
}
if (Object.keys(clients).length === 0) fail('at least one --client id=secret is required');

const int = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} expects a non-negative integer, got ${value}`);
  return n;
};

let notifier: NotifierConfig | undefined;
if (values.notify) {
  if (values['notify-authorization']) notifier = { callbackUrl: values.notify, authorization: values['notify-authorization'] };
  else if (values['notify-secret']) {
    notifier = { callbackUrl: values.notify, clientId: values['notify-client'] ?? demo.clientId, secret: values['notify-secret'] };
  } else fail('--notify needs --notify-secret (JWT) or --notify-authorization');
}

const sim = await startSimulator({
  name: values.name ?? demo.name,
  rsin: values.rsin ?? demo.rsin,
  host: values.host,
  port: int('port', values.port),
  publicUrl: values['public-url'],
  clients,
  zaaktypen: demo.zaaktypen,
  notifier,
  pageSize: int('page-size', values['page-size']),
  autoAdvanceSeconds: int('auto-advance-seconds', values['auto-advance-seconds']),
  strictRsin: values['strict-rsin'],
  strictCrs: values['strict-crs'],
});

const lines = [
  `${values.name ?? demo.name} simulator on ${sim.url}`,
  `  Zaken API:    ${sim.zakenApiRoot}`,
  `  Catalogi API: ${sim.catalogiApiRoot}`,
  `  admin:        ${sim.url}/_admin/zaken  (POST ${sim.url}/_admin/zaken/{uuid}/advance)`,
  `  notifications: ${notifier ? notifier.callbackUrl : 'off'}`,
  '  zaaktypen:',
  ...demo.zaaktypen.map((zt) => `    ${zt.key.padEnd(18)} ${sim.zaaktypeUrl(zt.key)}`),
];
process.stdout.write(`${lines.join('\n')}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.close().then(() => process.exit(0));
  });
}
