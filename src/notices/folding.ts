// When a case notice goes (docs/notices.md): pure rules, tested with fixed dates. A message about a
// case on a channel opens a window (NOTICE_FOLD_WINDOW_SECONDS, 15 minutes): the first notice goes
// at once, later ones within the window are folded into one message sent when the window ends.
// No SMS between 22:00 and 07:00 in the Netherlands: it is held until 07:00.
import type { NoticeChannel } from './outbound.ts';

export const DEFAULT_FOLD_WINDOW_MS = 15 * 60_000;
export const QUIET_TIME_ZONE = 'Europe/Amsterdam';
const QUIET_FROM_HOUR = 22;
const QUIET_UNTIL_HOUR = 7;

/** The case's latest message on the channel, as the planner found it. */
export interface PreviousMessage {
  sendAt: Date;
  /** Not handed to the transport yet: a new notice joins it. */
  pending: boolean;
}

export type Plan = { kind: 'fold' } | { kind: 'new'; sendAt: Date };

/** Where a new notice on `channel` goes: into the waiting message, or a new one at `sendAt`. */
export function planNotice(now: Date, channel: NoticeChannel, previous: PreviousMessage | undefined, windowMs = DEFAULT_FOLD_WINDOW_MS): Plan {
  if (previous?.pending) return { kind: 'fold' };
  const windowEnd = previous ? previous.sendAt.getTime() + windowMs : 0;
  const at = new Date(Math.max(now.getTime(), windowEnd));
  return { kind: 'new', sendAt: channel === 'sms' ? outsideQuietHours(at) : at };
}

/** `at`, or 07:00 Europe/Amsterdam after it when `at` falls between 22:00 and 07:00 there (DST-correct). */
export function outsideQuietHours(at: Date): Date {
  const local = localParts(at);
  if (local.hour >= QUIET_UNTIL_HOUR && local.hour < QUIET_FROM_HOUR) return at;
  const dayAfter = local.hour >= QUIET_FROM_HOUR ? 1 : 0;
  return zonedTime(local.year, local.month, local.day + dayAfter, QUIET_UNTIL_HOUR);
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: QUIET_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The wall-clock time in the Netherlands at an instant. */
export function localParts(at: Date): LocalParts {
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  return { year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour, minute: +parts.minute, second: +parts.second };
}

/** The instant of a wall-clock hour in the Netherlands (day may overflow the month, as Date.UTC allows). */
export function zonedTime(year: number, month: number, day: number, hour: number): Date {
  const asUtc = Date.UTC(year, month - 1, day, hour);
  // The zone's offset at that moment; asked again at the result, in case the guess fell across a change.
  let instant = asUtc - offsetMs(new Date(asUtc));
  instant = asUtc - offsetMs(new Date(instant));
  return new Date(instant);
}

function offsetMs(at: Date): number {
  const p = localParts(at);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}
