// Server-side sessions of the HTML pages. The browser holds a signed HttpOnly cookie with a random
// token; the database holds only the token's SHA-256, its CSRF token and the session's data
// encrypted (AES-256-GCM) with a key derived from the cookie's token, which the database never
// sees: a copy of the table yields neither usable cookies nor the access tokens inside.
// Nothing personal is in the cookie (the citizen's BSN stays inside the access token, server-side).
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { json } from '../db/json.ts';
import type { SealedData } from '../../db/schema.ts';

export type SessionKind = 'login' | 'citizen' | 'operator' | 'staff-login' | 'staff' | 'partner-login' | 'partner';

/** A login in flight (OIDC authorization request), a citizen, an operator by pasted token (demo), a staff login in flight, a member of staff. */
export interface SessionData {
  login: { state: string; nonce: string; codeVerifier: string; returnTo: string };
  citizen: { accessToken: string; name: string | null };
  operator: { clientId: string };
  'staff-login': { state: string; nonce: string; codeVerifier: string; returnTo: string };
  staff: { accessToken: string; name: string | null };
  'partner-login': { state: string; nonce: string; codeVerifier: string; returnTo: string };
  /** A registered contact of a portal organisation (the partner page): which one, once chosen among those the address is a contact of. */
  partner: { email: string; name: string | null; organisations: string[]; organisation: string | null; via: 'link' | 'oidc' };
}

export interface Session<K extends SessionKind = SessionKind> {
  kind: K;
  data: SessionData[K];
  csrf: string;
  expiresAt: Date;
}

/** One cookie per kind, each scoped to the paths that need it. */
export const SESSION_COOKIES: Record<SessionKind, { name: string; path: string }> = {
  login: { name: 'ks_login', path: '/auth' },
  citizen: { name: 'ks_session', path: '/' },
  operator: { name: 'ks_ops', path: '/ops' },
  'staff-login': { name: 'ks_staff_login', path: '/auth/staff' },
  // The staff pages live under /ops, /work, /kcc and /staff: one cookie for all of them.
  staff: { name: 'ks_staff', path: '/' },
  'partner-login': { name: 'ks_partner_login', path: '/auth/partner' },
  partner: { name: 'ks_partner', path: '/partner' },
};

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const dataKey = (token: string) => createHash('sha256').update(`ketenstatus web session data|${token}`).digest();

function seal(token: string, data: unknown): SealedData {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey(token), iv);
  const ct = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

function open(token: string, sealed: SealedData): unknown {
  const decipher = createDecipheriv('aes-256-gcm', dataKey(token), Buffer.from(sealed.iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]).toString('utf8'));
}
export const randomToken = () => randomBytes(32).toString('base64url');

export class SessionStore {
  private readonly db: Db;
  private readonly secret: string;
  private readonly secure: boolean;
  private lastSweep = 0;

  constructor(options: { db: Db; secret: string; secure: boolean }) {
    this.db = options.db;
    this.secret = options.secret;
    this.secure = options.secure;
  }

  /** Creates a session and sets its cookie on the response. */
  async start<K extends SessionKind>(c: Context, kind: K, data: SessionData[K], ttlSeconds: number): Promise<Session<K>> {
    await this.sweep();
    const token = randomToken();
    const session: Session<K> = { kind, data, csrf: randomToken(), expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
    await this.db
      .insertInto('web_sessions')
      .values({
        id_hash: hash(token),
        kind,
        data: json(seal(token, data)),
        csrf: session.csrf,
        expires_at: session.expiresAt,
      })
      .execute();
    const cookie = SESSION_COOKIES[kind];
    await setSignedCookie(c, cookie.name, token, this.secret, {
      path: cookie.path,
      httpOnly: true,
      sameSite: 'Lax',
      secure: this.secure,
      maxAge: ttlSeconds,
    });
    return session;
  }

  /** The live session of this kind named by the request's cookie, or undefined. */
  async read<K extends SessionKind>(c: Context, kind: K): Promise<Session<K> | undefined> {
    const token = await this.token(c, kind);
    if (!token) return undefined;
    const row = await this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('id_hash', '=', hash(token))
      .where('kind', '=', kind)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    if (!row) return undefined;
    let data: SessionData[K];
    try {
      data = open(token, row.data) as SessionData[K];
    } catch {
      return undefined; // not decryptable with this token: not this browser's session
    }
    return { kind, data, csrf: row.csrf, expiresAt: new Date(row.expires_at) };
  }

  /** Ends the session of this kind (row and cookie); returns what it held. */
  async end<K extends SessionKind>(c: Context, kind: K): Promise<Session<K> | undefined> {
    const session = await this.read(c, kind);
    const token = await this.token(c, kind);
    if (token) await this.db.deleteFrom('web_sessions').where('id_hash', '=', hash(token)).execute();
    deleteCookie(c, SESSION_COOKIES[kind].name, { path: SESSION_COOKIES[kind].path, secure: this.secure, httpOnly: true, sameSite: 'Lax' });
    return session;
  }

  private async token(c: Context, kind: SessionKind): Promise<string | undefined> {
    const value = await getSignedCookie(c, this.secret, SESSION_COOKIES[kind].name);
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }

  /** Drops expired rows now and then (at most once a minute per process). */
  private async sweep(): Promise<void> {
    if (Date.now() - this.lastSweep < 60_000) return;
    this.lastSweep = Date.now();
    await sql`delete from web_sessions where expires_at < now()`.execute(this.db);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: Pick<Session, 'csrf'>, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
