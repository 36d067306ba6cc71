// The Authorization values the gateway generated for its abonnementen, held in memory by digest
// so the notification intake can recognise them without a database read per request (an
// unauthenticated request must never cost a query). Reloaded when any process changes one
// (pg_notify) and when the network changes.
import { sql } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { digestOf } from '../lib/digest.ts';

const CHANNEL = 'ketenstatus_nrc_auth';
const FALLBACK_RELOAD_MS = 30_000;

export class GeneratedAuths {
  private readonly database: Database;
  private readonly logger: Logger;
  private byDigest = new Map<string, string>();
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(deps: { database: Database; logger: Logger }) {
    this.database = deps.database;
    this.logger = deps.logger;
  }

  async start(): Promise<void> {
    await this.reload();
    this.unlisten = await this.database.listen(CHANNEL, () => void this.reload());
    this.timer = setInterval(() => void this.reload(), FALLBACK_RELOAD_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unlisten?.();
  }

  /** The organisation this Authorization value (by its digest) was generated for. */
  organisationFor(digest: string): string | undefined {
    return this.byDigest.get(digest);
  }

  async reload(): Promise<void> {
    try {
      const rows = await this.database.db.selectFrom('nrc_subscriptions').select(['organisation_id', 'auth']).where('state', '<>', 'removed').execute();
      this.byDigest = new Map(rows.map((r) => [digestOf(r.auth), r.organisation_id]));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, "reloading the abonnementen's Authorization values failed; keeping the last known");
    }
  }
}

/** Tells every process to reload (delivered when the caller's transaction commits). */
export async function announceAuthChange(db: Db): Promise<void> {
  await sql`select pg_notify(${CHANNEL}, '')`.execute(db);
}
