import { Hono } from 'hono';
import { z } from 'zod';
import { readJson } from '../http/body.ts';
import type { AppEnv } from '../http/context.ts';
import { validationProblem } from '../http/problem.ts';
import { httpUrl, isHttpUrl, parseWith } from '../http/validate.ts';
import type { NetworkService } from '../network/service.ts';
import type { IntakeService, Notification } from './intake.ts';
import { type NotificationAuthenticator, notActive } from './notification-auth.ts';

const url = httpUrl(1000);

// The Notificatie schema of the ZGW consumer webhook contract (notificaties-consumer-webhook 1.0.0).
const notificationSchema = z.object({
  kanaal: z.string().min(1).max(50),
  hoofdObject: url,
  resource: z.string().min(1).max(100),
  resourceUrl: url,
  actie: z.string().min(1).max(100),
  aanmaakdatum: z.iso.datetime({ offset: true, local: true }),
  kenmerken: z.record(z.string(), z.string().min(1).max(1000)).optional(),
});

const CLOUDEVENTS_JSON = /^application\/cloudevents\+json(\s*;.*)?$/i;

const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().regex(/^urn:nld:oin:\d{20}(:.*)?$/, 'must be urn:nld:oin:<OIN>:…'),
  type: z.string().min(1).max(200),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().max(1000).optional(),
  dataref: url,
  datacontenttype: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export function intakeRoutes(deps: {
  auth: NotificationAuthenticator;
  intake: IntakeService;
  network: NetworkService;
  /** A pending member's `kanaal: test` notification: its connection test (src/onboarding) records it. */
  onPendingTest?: (organisationId: string) => Promise<void>;
}) {
  const { auth, intake, network, onPendingTest } = deps;
  return new Hono<AppEnv>()
    .post('/notificaties', async (c) => {
      const org = auth.identify(c.req.header('authorization'));
      c.set('actor', `organisation:${org.id}`);
      if (org.status !== 'active') {
        // A joining member proves it can notify us with a test notification; nothing else is taken.
        const test = org.status === 'pending' && onPendingTest ? notificationSchema.safeParse(await readJson(c).catch(() => undefined)) : undefined;
        if (!test?.success || test.data.kanaal !== 'test') throw notActive(org);
        await onPendingTest!(org.id);
        return c.body(null, 204);
      }
      const n = parseWith(notificationSchema, await readJson(c)) as Notification;
      if (n.kanaal === 'test') return c.body(null, 204); // the NRC's subscription check
      onOrigin(network.zakenOrigin(org), [
        ['hoofdObject', n.hoofdObject],
        ['resourceUrl', n.resourceUrl],
      ]);
      await intake.accept(org.id, n);
      return c.body(null, 204);
    })
    .post('/events', async (c) => {
      const org = auth.authenticate(c.req.header('authorization'));
      c.set('actor', `organisation:${org.id}`);
      const e = parseWith(cloudEventSchema, await readJson(c, CLOUDEVENTS_JSON));
      if (e.source.split(':')[3] !== org.oin) {
        throw validationProblem([{ name: 'source', code: 'not-sender', reason: `must carry your OIN ${org.oin}` }]);
      }
      // The subject names the zaak only when it is an http(s) URL; anything else (an id, a bare scheme) leaves dataref as the zaak.
      const zaak = e.subject !== undefined && isHttpUrl(e.subject) ? e.subject : e.dataref;
      onOrigin(network.zakenOrigin(org), [
        ['dataref', e.dataref],
        ['subject', zaak],
      ]);
      await intake.accept(org.id, {
        kanaal: `cloudevents:${e.type}`.slice(0, 50),
        hoofdObject: zaak,
        resource: 'cloudevent',
        resourceUrl: e.dataref,
        actie: e.id,
        aanmaakdatum: e.time,
      });
      return c.body(null, 204);
    });
}

/** Notifications may only point into the sender's own registered API; nothing elsewhere is ever fetched. */
function onOrigin(origin: string, urls: [string, string][]) {
  // A URL that begins with exactly `<origin>/` has that origin (the authority ends at the first
  // '/'); only other spellings (upper case, an explicit default port) need the parser. One it
  // cannot read has no origin, so it is foreign (400), never an error.
  const foreign = urls.filter(([, u]) => !(u.startsWith(origin) && u.charCodeAt(origin.length) === 47) && URL.parse(u)?.origin !== origin);
  if (foreign.length > 0) {
    throw validationProblem(
      foreign.map(([name]) => ({ name, code: 'foreign-origin', reason: `must be on your registered API origin ${origin}` })),
      "The notification points outside the sender's registered API.",
    );
  }
}
