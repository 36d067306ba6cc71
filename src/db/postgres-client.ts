// What Kysely's postgres.js dialect gets instead of the bare client: the same reserve/unsafe/end,
// with two changes.
//  - Prepared statements. postgres.js runs an unprepared query with parameters as two round trips
//    (Parse+Describe to learn the parameter types, then Bind+Execute); a prepared one is described
//    once per connection and then costs one. Every Kysely query has parameters.
//  - A deadline per query (and per wait for a connection). When the network to PostgreSQL is cut a
//    query can wait forever; past the deadline the caller gets a DatabaseTimeoutError (answered
//    503 with Retry-After) instead of a request that hangs. The query itself stays queued on its
//    connection and finishes or fails when the network comes back.
//  - A reserved connection goes back to the pool only when every query sent on it has answered.
//  - A reserved connection that lost its socket is never written to again, nor handed back to
//    the pool. postgres.js 3.4.9 keeps such a connection pinned to its reservation: the next
//    query on it (typically Kysely's ROLLBACK) schedules a write on a null socket and the process
//    dies with an uncatchable TypeError (porsager/postgres#1154, #1208); releasing it would put a
//    closed connection into the idle list. Closed connections stay in the pool's closed list and
//    are reconnected from there.
import type postgres from 'postgres';

export class DatabaseTimeoutError extends Error {
  readonly code = 'QUERY_TIMEOUT';
  constructor(ms: number, what: string) {
    super(`the database did not answer within ${ms} ms (${what})`);
  }
}

export interface DialectClient {
  reserve(): Promise<{ unsafe(text: string, params: unknown[]): Promise<postgres.RowList<postgres.Row[]>>; release(): void }>;
  end(options?: { timeout?: number }): Promise<void>;
}

/** `deadlineMs()` is read per query; 0 means no deadline (migrations run without one). */
export function dialectClient(client: postgres.Sql, deadlineMs: () => number): DialectClient {
  return {
    async reserve() {
      const ms = deadlineMs();
      const started = Date.now();
      const reserved = await withDeadline(client.reserve(), ms, 'waiting for a connection', (late) => late.release());
      let lost: unknown;
      let first = true;
      let pending = 0;
      let releasing = false;
      const settle = () => {
        pending--;
        if (releasing && pending === 0 && !lost) reserved.release();
      };
      return {
        unsafe: (text, params) => {
          if (lost) return Promise.reject(lost);
          // One deadline covers the wait for a connection and the first query (a lone query is one
          // checkout); later queries of a transaction get a deadline each.
          const limit = first && ms ? Math.max(1, ms - (Date.now() - started)) : deadlineMs();
          first = false;
          pending++;
          const work = reserved.unsafe(text, params as never[], { prepare: true });
          work.then(settle, (error: unknown) => {
            if (isConnectionLost(error)) lost = error;
            settle();
          });
          return withDeadline(work, limit, 'query');
        },
        // A query past its deadline is still on the connection: the connection goes back to the pool
        // only when it has answered. Handing it on earlier lets postgres.js give one connection's
        // answers to another reservation's queries (seen in R2: notifications acknowledged from
        // another statement's result).
        release: () => {
          releasing = true;
          if (pending === 0 && !lost) reserved.release();
        },
      };
    },
    end: (options) => client.end(options),
  };
}

/** The connection itself failed (not the statement): postgres.js connection codes and socket errors. */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('CONNECTION_') || code === 'CONNECT_TIMEOUT' || /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('57P0');
}

function withDeadline<T>(work: PromiseLike<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
  if (!ms) return Promise.resolve(work);
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new DatabaseTimeoutError(ms, what));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (expired) onLate?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!expired) reject(error);
      },
    );
  });
}
