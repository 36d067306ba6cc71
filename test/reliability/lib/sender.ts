// A notifying subcontractor as the reliability suite needs it: sends at a steady rate, keeps a
// ledger of every notification (acknowledged or not, every answer it got), and — like an NRC —
// sends again what was not acknowledged until it is.
import { Pool } from 'undici';
import type { Notification } from '../../../src/sync/intake.ts';

export interface LedgerEntry {
  n: Notification;
  acked: boolean;
  attempts: number;
  /** Every answer: HTTP status, or an error code. */
  answers: string[];
  /** Per attempt: when it started (Date.now()) and milliseconds until the answer (or the error). */
  startedAt: number[];
  latencies: number[];
  retryAfter: (string | undefined)[];
}

export interface SenderOptions {
  origin: string;
  authorization: () => string;
  connections?: number;
  /** Give up on an attempt after this long (counts as a hang). */
  requestTimeoutMs?: number;
  /** Wait before sending an unacknowledged notification again. */
  retryDelayMs?: number;
}

export const identityOf = (org: string, n: Pick<Notification, 'kanaal' | 'resourceUrl' | 'actie' | 'aanmaakdatum'>) =>
  `${org}|${n.kanaal}|${n.resourceUrl}|${n.actie}|${n.aanmaakdatum}`;

export class Sender {
  readonly ledger: LedgerEntry[] = [];
  /** The first few bodies of answers other than 204 and 503, per status. */
  readonly unexpected: Record<string, string[]> = {};
  private readonly pool: Pool;
  private readonly options: Required<SenderOptions>;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private authorization: string;
  private authorizedAt = 0;

  constructor(options: SenderOptions) {
    this.options = { connections: 64, requestTimeoutMs: 15_000, retryDelayMs: 200, ...options };
    this.pool = new Pool(options.origin, {
      connections: this.options.connections,
      headersTimeout: this.options.requestTimeoutMs,
      bodyTimeout: this.options.requestTimeoutMs,
      connectTimeout: 2000,
    });
    this.authorization = options.authorization();
  }

  send(n: Notification): LedgerEntry {
    const entry: LedgerEntry = { n, acked: false, attempts: 0, answers: [], startedAt: [], latencies: [], retryAfter: [] };
    this.ledger.push(entry);
    const p = this.deliver(entry);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return entry;
  }

  /** Sends `make()` `rate` times a second for `seconds`. */
  async drive(rate: number, seconds: number, make: (i: number) => Notification): Promise<number> {
    const start = performance.now();
    let sent = 0;
    while (performance.now() - start < seconds * 1000 && !this.stopped) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (sent < due) this.send(make(sent++));
      await new Promise((r) => setTimeout(r, 5));
    }
    return sent;
  }

  /** Waits until every notification is acknowledged (or the time is up); true when all are. */
  async settle(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    return this.inFlight.size === 0;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
    await this.pool.destroy();
  }

  /** Notifications not acknowledged yet. */
  outstanding(): number {
    return this.inFlight.size;
  }

  /** Every attempt, flattened. */
  attempts(): { at: number; ms: number; answer: string; retryAfter: string | undefined }[] {
    return this.ledger.flatMap((e) => e.answers.map((answer, i) => ({ at: e.startedAt[i], ms: e.latencies[i], answer, retryAfter: e.retryAfter[i] })));
  }

  stats() {
    const answers: Record<string, number> = {};
    for (const e of this.ledger) for (const a of e.answers) answers[a] = (answers[a] ?? 0) + 1;
    return {
      notifications: this.ledger.length,
      acked: this.ledger.filter((e) => e.acked).length,
      attempts: this.ledger.reduce((n, e) => n + e.attempts, 0),
      answers,
    };
  }

  private auth(): string {
    // A fresh token now and then, as a real sender would (tokens have a maximum age).
    if (Date.now() - this.authorizedAt > 60_000) {
      this.authorization = this.options.authorization();
      this.authorizedAt = Date.now();
    }
    return this.authorization;
  }

  private async deliver(entry: LedgerEntry): Promise<void> {
    const body = JSON.stringify(entry.n);
    while (!entry.acked && !this.stopped) {
      entry.attempts++;
      entry.startedAt.push(Date.now());
      const started = performance.now();
      try {
        const res = await this.pool.request({
          path: '/api/v1/notificaties',
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', authorization: this.auth() },
        });
        if (res.statusCode !== 204 && res.statusCode !== 503 && (this.unexpected[res.statusCode]?.length ?? 0) < 3) {
          (this.unexpected[res.statusCode] ??= []).push((await res.body.text()).slice(0, 500));
        } else await res.body.dump();
        entry.latencies.push(performance.now() - started);
        entry.answers.push(String(res.statusCode));
        entry.retryAfter.push(res.headers['retry-after'] as string | undefined);
        if (res.statusCode === 204) {
          entry.acked = true;
          return;
        }
      } catch (error) {
        entry.latencies.push(performance.now() - started);
        entry.answers.push((error as { code?: string }).code ?? (error as Error).name);
        entry.retryAfter.push(undefined);
      }
      await new Promise((r) => setTimeout(r, this.options.retryDelayMs * (0.5 + Math.random())));
    }
  }
}
