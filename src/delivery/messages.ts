// What a subscriber receives: one outbox event rendered as a ZGW Notificaties message or as a
// CloudEvent (NL GOV profile). Thin on purpose: identifiers, phase and a link to the case, never a
// BSN or a name. Pure: the same event renders to the same body on every retry and after a restart.
import { createHash } from 'node:crypto';
import { eventFacts } from '../cases/events.ts';

export type MessageFormat = 'zgw' | 'cloudevents';

export const ZGW_KANAAL = 'ketenstatus';
export const CLOUDEVENT_TYPE_PREFIX = 'nl.ketenstatus.';
export const MAX_MESSAGE_BYTES = 20 * 1024;

export interface OutboxEvent {
  id: number;
  type: string;
  caseId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface Origin {
  /** PUBLIC_BASE_URL, without a trailing slash. */
  baseUrl: string;
  /** The OIN of the organisation running the gateway (network.self.oin). */
  oin: string;
}

export interface Rendered {
  body: string;
  contentType: string;
}

export function render(format: MessageFormat, event: OutboxEvent, origin: Origin): Rendered {
  const caseUrl = `${origin.baseUrl}/api/v1/cases/${event.caseId}`;
  const facts = eventFacts(event);
  const message =
    format === 'zgw'
      ? {
          kanaal: ZGW_KANAAL,
          hoofdObject: caseUrl,
          resource: 'case',
          resourceUrl: caseUrl,
          actie: event.type.replace(/^case\./, ''),
          aanmaakdatum: event.createdAt.toISOString(),
          kenmerken: facts,
        }
      : {
          specversion: '1.0',
          id: eventUuid(origin.oin, event),
          source: cloudEventSource(origin.oin),
          type: `${CLOUDEVENT_TYPE_PREFIX}${event.type}`,
          subject: event.caseId,
          time: event.createdAt.toISOString(),
          dataref: caseUrl,
          sequence: sequenceOf(event.id),
          datacontenttype: 'application/json',
          data: { caseId: event.caseId, ...facts },
        };
  return checked(message, format);
}

/** The message sent once when a subscription is created, so the subscriber can prove it answers. */
export function renderTest(format: MessageFormat, subscriptionUrl: string, origin: Origin, now = new Date()): Rendered {
  const message =
    format === 'zgw'
      ? // As an NRC does when an abonnement is made: kanaal "test".
        {
          kanaal: 'test',
          hoofdObject: subscriptionUrl,
          resource: 'subscription',
          resourceUrl: subscriptionUrl,
          actie: 'test',
          aanmaakdatum: now.toISOString(),
          kenmerken: {},
        }
      : {
          specversion: '1.0',
          id: eventUuid(origin.oin, { id: -1, createdAt: now, type: 'test' }),
          source: cloudEventSource(origin.oin),
          type: `${CLOUDEVENT_TYPE_PREFIX}subscription.test`,
          subject: subscriptionUrl.split('/').at(-1),
          time: now.toISOString(),
          dataref: subscriptionUrl,
          datacontenttype: 'application/json',
          data: {},
        };
  return checked(message, format);
}

export const cloudEventSource = (oin: string) => `urn:nld:oin:${oin}:systeem:ketenstatus`;

/** Zero-padded so that string order (CloudEvents' sequence comparison) is numeric order. */
export const sequenceOf = (eventId: number) => String(eventId).padStart(16, '0');

// CloudEvents ids SHOULD be UUIDs (NL GOV profile) and unique per source: derived from the event
// so that every subscriber and every retry sees the same id for the same event.
function eventUuid(oin: string, event: Pick<OutboxEvent, 'id' | 'createdAt' | 'type'>): string {
  const h = createHash('sha256').update(`${oin}|${event.id}|${event.type}|${event.createdAt.toISOString()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function checked(message: unknown, format: MessageFormat): Rendered {
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new Error(`a ${format} message of ${Buffer.byteLength(body)} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  return { body, contentType: format === 'zgw' ? 'application/json' : 'application/cloudevents+json' };
}
