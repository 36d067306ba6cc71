// Request validation with Open Zaak's (DRF's) invalidParams codes and Dutch reasons, so a client's
// error handling is exercised against realistic ValidatieFout bodies.
import type { InvalidParam } from './http-util.ts';
import { CONFIDENTIALITY_LEVELS } from '../lib/confidentiality.ts';
import { passesElfproef } from '../lib/elfproef.ts';

type Body = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

export const VERTROUWELIJKHEID = CONFIDENTIALITY_LEVELS;

export function isValidDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const amsterdamParts = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

function amsterdamOffsetMs(utcMs: number): number {
  const p = Object.fromEntries(amsterdamParts.formatToParts(new Date(utcMs)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(utcMs / 1000) * 1000;
}

/** Parses an ISO 8601 datetime; naive values are local Dutch time, as in Open Zaak (TIME_ZONE Europe/Amsterdam). */
export function parseDateTime(value: string): number | undefined {
  const m = DATETIME.exec(value);
  if (!m || !isValidDate(value.slice(0, 10))) return undefined;
  const local = m[1].replace(/(\.\d{3})\d+$/, '$1');
  if (m[2]) {
    const t = Date.parse(local + (m[2].toUpperCase() === 'Z' ? 'Z' : m[2].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')));
    return Number.isNaN(t) ? undefined : t;
  }
  const asUtc = Date.parse(`${local}Z`);
  return Number.isNaN(asUtc) ? undefined : asUtc - amsterdamOffsetMs(asUtc);
}

/** Collects invalidParams while reading typed fields from a request body. */
export class Checker {
  readonly errors: InvalidParam[];
  private readonly body: Body;
  private readonly prefix: string;

  constructor(body: Body, prefix = '', errors: InvalidParam[] = []) {
    this.body = body;
    this.prefix = prefix;
    this.errors = errors;
  }

  fail(name: string, code: string, reason: string): undefined {
    this.errors.push({ name: name === 'nonFieldErrors' ? name : this.prefix + name, code, reason });
    return undefined;
  }

  private present(name: string, required: boolean, nullable = false): unknown {
    const v = this.body[name];
    if (v === undefined) return required ? this.fail(name, 'required', 'Dit veld is vereist.') : undefined;
    if (v === null) return nullable ? undefined : this.fail(name, 'null', 'Dit veld mag niet leeg zijn.');
    return v;
  }

  str(name: string, opts: { required?: boolean; max?: number; blank?: boolean } = {}): string | undefined {
    const v = this.present(name, opts.required ?? false);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail(name, 'invalid', 'Not a valid string.');
    if (v === '' && !(opts.blank ?? !opts.required)) return this.fail(name, 'blank', 'Dit veld mag niet leeg zijn.');
    if (opts.max !== undefined && v.length > opts.max) {
      return this.fail(name, 'max_length', `Zorg ervoor dat dit veld niet meer dan ${opts.max} karakters bevat.`);
    }
    return v;
  }

  date(name: string, required = false, nullable = !required): string | undefined {
    const v = this.present(name, required, nullable);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !isValidDate(v)) {
      return this.fail(name, 'invalid', 'Datum heeft het verkeerde formaat. Gebruik 1 van deze formaten: YYYY-MM-DD.');
    }
    return v;
  }

  dateTime(name: string, required = false): number | undefined {
    const v = this.present(name, required);
    if (v === undefined) return undefined;
    const t = typeof v === 'string' ? parseDateTime(v) : undefined;
    if (t === undefined) {
      return this.fail(
        name,
        'invalid',
        'Datetime heeft een ongeldig formaat, gebruik 1 van de volgende formaten: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
      );
    }
    return t;
  }

  choice<T extends string>(name: string, choices: readonly T[], required = false): T | undefined {
    const v = this.present(name, required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !choices.includes(v as T)) return this.fail(name, 'invalid_choice', `"${String(v)}" is een ongeldige keuze.`);
    return v as T;
  }

  url(name: string, required = false): string | undefined {
    const v = this.str(name, { required, max: 1000 });
    if (v === undefined || v === '') return v;
    if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) return this.fail(name, 'invalid', 'Voer een geldige URL in.');
    return v;
  }

  rsin(name: string, strict: boolean, required = true): string | undefined {
    const v = this.str(name, { required, max: 9 });
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) return this.fail(name, 'only-digits', 'Voer een numerieke waarde in');
    if (v.length !== 9) return this.fail(name, 'invalid-length', 'Waarde moet 9 tekens lang zijn');
    if (strict && !passesElfproef(v)) return this.fail(name, 'invalid', 'Onjuist RSIN nummer');
    return v;
  }

  objectList(name: string): Body[] | undefined {
    const v = this.present(name, false);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
      return this.fail(name, 'not_a_list', 'Verwachtte een lijst met items.');
    }
    return v as Body[];
  }

  object(name: string): Body | undefined {
    const v = this.present(name, false, true);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(name, 'invalid', 'Ongeldige data. Verwacht een dictionary.');
    return v as Body;
  }

  nested(name: string, body: Body): Checker {
    return new Checker(body, `${this.prefix}${name}.`, this.errors);
  }
}
